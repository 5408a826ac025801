Console.WriteLine("MoneyKit Bridge benchmarks: run with a benchmark name (none are registered yet).");
return 0;
