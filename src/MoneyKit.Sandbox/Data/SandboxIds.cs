namespace MoneyKit.Sandbox.Data;

/// <summary>MoneyKit-looking ids (prefix + 22 base62 characters) drawn from a seeded random source.</summary>
internal static class SandboxIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Next(Random random, string prefix)
    {
        Span<char> chars = stackalloc char[22];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[random.Next(Alphabet.Length)];
        }

        return prefix + new string(chars);
    }
}
