using System.Globalization;
using System.Text;
using MoneyKitBridge.Functions.Tests.Hosting;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Seeded random and mutated requests over every route of the app, with each route's own query parameters (valid,
/// borderline and hostile values, real and mutated cursors). Never a request that may legitimately change state: the
/// write scope (admin and SDK tokens) is only ever combined with reads or with a link that does not exist (or with a
/// body that cannot be valid), and webhooks are never validly signed. Every credential-like value is a canary
/// (<see cref="HostileRequest.CanaryPrefix"/>).
/// </summary>
public sealed class HostileRequestGenerator(int seed, string linkId, string userId, HostileTokens tokens, HostileCursors cursors)
{
    private static readonly Dictionary<int, string[]> QueryNames = new()
    {
        [2] = ["page", "size", "start_date", "end_date", "account_ids", "account_ids[]", "cursor"],
        [4] = ["page", "size", "start_date", "end_date", "account_id", "account_ids", "institution_id", "institution_id[]", "transaction_type", "transaction_type[]", "category"],
        [13] = ["name", "featured", "limit", "cursor"],
        [17] = ["account_ids", "account_ids[]", "institution_ids", "institution_ids[]"],
        [18] = ["cursor", "size"],
    };

    private static readonly string[] FilterValues =
    [
        "credit", "debit", "CREDIT", "credit,debit", "refund", "food_and_drink", "income", "instant_bank", "oauth_bank", "true", "false",
        "1", "50", "100", "101", "500", "501", "2000-01-01", "2026-02-30", "acc_x", "mk_x,mk_y",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=bogus",
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=bogus", "application/x-www-form-urlencoded; charset=utf-16",
        "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=xyz", "text/plain", "application/xml",
        "application/jsonx", "a/b/c", ";;;", "application/json; charset=\"utf-8", "", "application/octet-stream",
    ];

    private static readonly string[] JsonKeys =
    [
        "customer_user", "id", "exchangeable_token", "products", "grant_type", "client_id", "client_secret", "scope",
        "existing_link_id", "link_tags", "institution_id", "settings", "Data", "event", "webhook_idempotency_key", "link_id",
    ];

    private static readonly string[] NastyStrings =
    [
        "", " ", "\u0000", "%00", "\\ud800", "\ud83d\ude00", "€€€", "a\r\nb", "../../", "/", "#", "?", "&", "=", "'", "\"", "\\",
        "<script>", "null", "true", "-1", "0", "1e309", "99999999999999999999", "2025-13-01", "transactions", "mk_x",
    ];

    private readonly Random random = new(seed);
    private int canaries;

    /// <summary>The canaries handed out so far.</summary>
    public List<string> Canaries { get; } = [];

    public HostileRequest Next()
    {
        var route = random.Next(20);
        var (method, path, body) = route switch
        {
            0 => ("GET", $"/api/links/{LinkSegment(write: false)}", BodyKind.None),
            1 => ("GET", $"/api/links/{LinkSegment(write: false)}/accounts", BodyKind.None),
            2 => ("GET", $"/api/links/{LinkSegment(write: false)}/transactions", BodyKind.None),
            3 => ("GET", $"/api/users/{UserSegment()}/links", BodyKind.None),
            4 => ("GET", $"/api/users/{UserSegment()}/transactions", BodyKind.None),
            5 => ("POST", "/api/link-session", BodyKind.Json),
            6 => ("POST", "/api/link-session/exchange-token", BodyKind.Json),
            7 => ("POST", $"/api/links/{LinkSegment(write: true)}/products", BodyKind.Json),
            8 => ("DELETE", $"/api/links/{LinkSegment(write: true)}", BodyKind.None),
            9 => ("POST", "/api/webhooks/moneykit", BodyKind.Json),
            10 => ("POST", "/api/auth/token", random.Next(2) == 0 ? BodyKind.Form : BodyKind.Json),
            11 => ("GET", "/api/openapi/v1.json", BodyKind.None),
            12 => ("POST", Pick(["/RefreshStaleLinks", "/refreshstalelinks", "/", "/api", "/api/links", "/api/users//links"]), BodyKind.Json),
            13 => ("GET", "/api/institutions", BodyKind.None),
            14 => ("GET", $"/api/institutions/{InstitutionSegment()}", BodyKind.None),
            15 => ("GET", $"/api/links/{LinkSegment(write: false)}/accounts/numbers", BodyKind.None),
            16 => ("GET", $"/api/links/{LinkSegment(write: false)}/identity", BodyKind.None),
            17 => ("GET", $"/api/users/{UserSegment()}/accounts", BodyKind.None),
            18 => ("GET", $"/api/links/{LinkSegment(write: false)}/transactions/sync", BodyKind.None),
            _ => (Pick(Methods), "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => Segment())), BodyKind.Json),
        };
        if (random.Next(8) == 0)
        {
            method = Pick(Methods);
        }

        // An in-process request cannot carry an encoded NUL in its path (TestHost refuses to send it, and Kestrel
        // answers 400 before the app runs: see README); every other control byte can.
        path = path.Replace("%00", "%01", StringComparison.Ordinal);
        var query = Query(QueryNames.GetValueOrDefault(route));
        var headers = Headers(method, path);
        var (bytes, contentType) = method is "GET" or "HEAD" && random.Next(4) != 0 ? (null, null) : Body(body);
        return new HostileRequest(method, path + query, headers, bytes, contentType);
    }

    private enum BodyKind
    {
        None,
        Json,
        Form,
    }

    private string Canary()
    {
        var canary = HostileRequest.CanaryPrefix + (++canaries).ToString("x6", CultureInfo.InvariantCulture) + "z";
        Canaries.Add(canary);
        return canary;
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];

    /// <summary>A link id: the stored link (reads only), a mutation of it, garbage, or percent-encoded nastiness.</summary>
    private string LinkSegment(bool write) => random.Next(6) switch
    {
        0 when !write => linkId,
        1 => Mutate(linkId),
        2 => "mk_" + Hex(32),
        3 => Uri.EscapeDataString(Pick(NastyStrings)) + "x",
        4 => new string('k', random.Next(1, 2000)),
        _ => Segment(),
    };

    private string UserSegment() => random.Next(4) switch
    {
        0 => userId,
        1 => Mutate(userId),
        2 => new string('u', random.Next(1, 1500)),
        _ => Segment(),
    };

    private string Segment() => random.Next(5) switch
    {
        0 => "%00",
        1 => "%C0%AF%FF%FE",
        2 => Uri.EscapeDataString(RandomText(random.Next(1, 30))),
        3 => "%2e%2e%2f" + Hex(6),
        _ => Hex(random.Next(1, 20)),
    };

    private string Mutate(string text)
    {
        var chars = text.ToCharArray();
        chars[random.Next(chars.Length)] = (char)random.Next(0x21, 0x7f);
        return Uri.EscapeDataString(new string(chars));
    }

    private string RandomText(int length)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(5) switch
            {
                0 => (char)random.Next(0, 0x20),
                1 => (char)random.Next(0x80, 0x800),
                2 => Pick(NastyStrings),
                _ => (char)random.Next(0x20, 0x7f),
            });
        }

        return builder.ToString();
    }

    private string InstitutionSegment() => random.Next(4) switch
    {
        0 => Pick(["instant_bank", "credentials_bank", "oauth_bank"]),
        1 => Mutate("instant_bank"),
        2 => new string('i', random.Next(1, 1500)),
        _ => Segment(),
    };

    /// <summary>A cursor: the real one, a mutation of it, its base64 cut or padded, or garbage.</summary>
    private string CursorValue(string real) => random.Next(5) switch
    {
        0 => real,
        1 => Mutate(real),
        2 => real[..random.Next(real.Length)],
        3 => real + Pick(["=", "==", "%3D", "AAAA", "."]),
        _ => Convert.ToBase64String(RandomBytes(random.Next(1, 64))),
    };

    /// <summary>A value for a route's own parameter: its valid and borderline values, a cursor, or hostile text.</summary>
    private string QueryValue(string name) => name switch
    {
        "cursor" when random.Next(2) == 0 => Uri.EscapeDataString(CursorValue(random.Next(2) == 0 ? cursors.Feed : cursors.Institutions)),
        _ when random.Next(2) == 0 => Uri.EscapeDataString(Pick(FilterValues)),
        _ => Uri.EscapeDataString(Pick(NastyStrings)),
    };

    private string Query(string[]? routeNames)
    {
        var parts = new List<string>();
        for (var i = random.Next(routeNames is null ? 2 : 5); i > 0; i--)
        {
            var name = routeNames is not null && random.Next(4) != 0 ? Pick(routeNames) : Pick(["page", "size", "start_date", "end_date", "account_ids", "products", "x", "q"]);
            parts.Add(name + "=" + QueryValue(name));
        }

        // What a careless client puts in the query string: credentials, under their usual names and others.
        for (var i = random.Next(3); i > 0; i--)
        {
            var name = Pick(["access_token", "client_secret", "token", "code", "secret", "password", "api_key", "key", "signature", "sig", "Authorization", "x", "state", "redirect"]);
            parts.Add(name + "=" + Canary());
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts.OrderBy(_ => random.Next()));
    }

    private List<(string, string)> Headers(string method, string path)
    {
        var headers = new List<(string, string)>();

        // The write scope only where no valid request changes the bridge's storage (and never with a stored link).
        var adminAllowed = method is "GET" or "HEAD" or "OPTIONS"
            || path.StartsWith("/api/link-session", StringComparison.Ordinal)
            || path.StartsWith("/api/auth/", StringComparison.Ordinal)
            || path.StartsWith("/api/webhooks/", StringComparison.Ordinal);
        switch (random.Next(9))
        {
            case 0:
                break;
            case 1 when adminAllowed:
                headers.Add(("Authorization", "Bearer " + tokens.Admin));
                break;
            case 7 when adminAllowed:
                headers.Add(("Authorization", "Bearer " + tokens.Sdk));
                break;
            case 2:
                headers.Add(("Authorization", "Bearer " + tokens.Reader));
                break;
            case 3:
                headers.Add(("Authorization", "Bearer " + Canary()));
                break;
            case 4:
                headers.Add(("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary() + ":" + Canary()))));
                break;
            case 5:
                headers.Add(("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(BridgeAppFactory.AdminId + ":" + Canary()))));
                break;
            case 6:
                headers.Add(("Authorization", Pick(["Bearer", "Basic", "Basic ====", "Bearer " + new string('x', 5000), "Digest " + Canary(), Canary()])));
                break;
            default:
                headers.Add(("Authorization", "Bearer " + tokens.Reader[..^3] + Canary()));
                break;
        }

        if (random.Next(3) == 0)
        {
            headers.Add(("Cookie", "session=" + Canary() + "; auth=" + Canary()));
        }

        if (random.Next(3) == 0)
        {
            headers.Add((Pick(["X-Api-Key", "X-Auth-Token", "X-Client-Secret", "Proxy-Authorization"]), Canary()));
        }

        if (path.StartsWith("/api/webhooks/", StringComparison.Ordinal) || random.Next(6) == 0)
        {
            headers.Add(("MoneyKit-Signature", Pick([Canary(), "eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ." + Canary() + ".sig", "", "a.b.c"])));
        }

        if (random.Next(4) == 0)
        {
            headers.Add(("MoneyKit-Version", Pick(["2023-02-18", "2023-12-14", "2099-99-99", "", "x", new string('9', 300)])));
        }

        if (random.Next(4) == 0)
        {
            headers.Add(("X-Request-Id", Pick(["req-1", "", new string('r', 500), "a b", "../"])));
        }

        return headers;
    }

    private (byte[]? Bytes, string? ContentType) Body(BodyKind kind)
    {
        var contentType = random.Next(4) == 0 ? Pick(ContentTypes) : kind == BodyKind.Form ? "application/x-www-form-urlencoded" : "application/json";
        byte[] bytes = random.Next(10) switch
        {
            0 => RandomBytes(random.Next(0, 300)),
            1 => Encoding.UTF8.GetBytes(FormBody()),
            2 => Encoding.Unicode.GetBytes(JsonBody()),
            3 => Truncate(Encoding.UTF8.GetBytes(JsonBody())),
            4 => Flip(Encoding.UTF8.GetBytes(JsonBody())),
            5 => random.Next(2) == 0 ? [] : Encoding.UTF8.GetBytes(new string(' ', random.Next(100_000))),
            6 => Encoding.UTF8.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\n" + Canary() + "\r\n--xyz" + (random.Next(2) == 0 ? "--\r\n" : "")),
            7 => Encoding.UTF32.GetBytes(JsonBody()),
            _ => kind == BodyKind.Form ? Encoding.UTF8.GetBytes(FormBody()) : Encoding.UTF8.GetBytes(JsonBody()),
        };
        return (bytes, contentType.Length == 0 ? null : contentType);
    }

    private string FormBody() => string.Join('&', Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(4) switch
    {
        0 => "client_secret=" + Canary(),
        1 => "grant_type=" + Pick(["client_credentials", "password", "%00", "%FF", "%", "client_credentials%00"]),
        2 => "client_id=" + Pick([BridgeAppFactory.ReaderId, "%00", "a%2", Uri.EscapeDataString(RandomText(8))]),
        _ => Uri.EscapeDataString(Pick(JsonKeys)) + "=" + Uri.EscapeDataString(RandomText(random.Next(0, 10))),
    }));

    /// <summary>JSON of the routes' shapes, with repeated keys, odd strings, escapes, deep nesting and canaries in secrets.</summary>
    private string JsonBody()
    {
        var fields = new List<string>();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            var key = Pick(JsonKeys);
            fields.Add($"\"{key}\":{JsonValue(key, 0)}");
            if (random.Next(5) == 0)
            {
                fields.Add($"\"{key}\":{JsonValue(key, 0)}"); // the same key again
            }
        }

        return random.Next(12) == 0 ? new string('[', random.Next(60, 200)) : "{" + string.Join(',', fields) + "}";
    }

    private string JsonValue(string key, int depth) => key switch
    {
        "client_secret" or "exchangeable_token" => $"\"{Canary()}\"",
        _ => random.Next(depth > 2 ? 5 : 8) switch
        {
            0 => "\"\\ud800\"",
            1 => "\"\\u0000\"",
            2 => random.Next(1000).ToString(CultureInfo.InvariantCulture),
            3 => "null",
            4 => "\"" + Pick(NastyStrings).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\u0000", "\\u0000", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"",
            5 => "[" + string.Join(',', Enumerable.Range(0, random.Next(3)).Select(_ => JsonValue("x", depth + 1))) + "]",
            6 => "{\"id\":" + JsonValue("x", depth + 1) + ",\"id\":\"dup\"}",
            _ => "{\"" + Pick(JsonKeys) + "\":" + JsonValue(Pick(JsonKeys), depth + 1) + "}",
        },
    };

    private string Hex(int length)
    {
        var bytes = RandomBytes((length + 1) / 2);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Truncate(byte[] bytes) => bytes.Length == 0 ? bytes : bytes[..random.Next(bytes.Length)];

    private byte[] Flip(byte[] bytes)
    {
        for (var i = random.Next(1, 4); i > 0 && bytes.Length > 0; i--)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }
}

/// <summary>The fuzz run's tokens: reads only, reads and writes, and reads, writes and the sensitive products.</summary>
public sealed record HostileTokens(string Reader, string Admin, string Sdk);

/// <summary>Genuine cursors for the fuzz run to send and mutate: one of the link's change feed, one of the institution list.</summary>
public sealed record HostileCursors(string Feed, string Institutions);
