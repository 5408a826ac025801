namespace MoneyKit.Sandbox.Data;

/// <summary>Seeds derived from the configured seed and stable strings (string.GetHashCode is randomized per process).</summary>
internal static class StableSeed
{
    public static int Derive(int seed, string text)
    {
        unchecked
        {
            var hash = 2166136261u ^ (uint)seed;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (int)(hash & 0x7FFFFFFF);
        }
    }
}
