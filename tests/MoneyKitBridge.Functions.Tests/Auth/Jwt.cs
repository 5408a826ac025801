using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MoneyKitBridge.Functions.Tests.Auth;

/// <summary>Builds and reads compact JWTs by hand, independently of the code under test.</summary>
public static class Jwt
{
    public static string Sign(object payload, byte[] key, string alg = "HS256")
    {
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg, typ = "JWT" }));
        var body = Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = alg == "none" ? "" : Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{body}")));
        return $"{header}.{body}.{signature}";
    }

    public static JsonElement Header(string token) => Decode(token.Split('.')[0]);

    public static JsonElement Payload(string token) => Decode(token.Split('.')[1]);

    public static bool HasValidSignature(string token, byte[] key)
    {
        var parts = token.Split('.');
        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        return CryptographicOperations.FixedTimeEquals(expected, FromBase64Url(parts[2]));
    }

    private static JsonElement Decode(string part) => JsonDocument.Parse(FromBase64Url(part)).RootElement.Clone();

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
