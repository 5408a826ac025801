using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Every row of every table whose name starts with a prefix, read from the run's Azurite over the Table REST API
/// (SharedKeyLite), independent of the bridge's own storage code: two snapshots are equal when nothing was written.
/// </summary>
public static class StorageSnapshot
{
    public static async Task<SortedDictionary<string, List<string>>> TakeAsync(string tablePrefix)
    {
        var settings = TestStorage.ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        var account = settings["AccountName"];
        var key = Convert.FromBase64String(settings["AccountKey"]);
        var endpoint = settings["TableEndpoint"].TrimEnd('/');
        using var http = new HttpClient();

        var snapshot = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in await QueryAsync(http, account, key, endpoint, "Tables"))
        {
            var name = table.GetProperty("TableName").GetString()!;
            if (!name.StartsWith(tablePrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rows = (await QueryAsync(http, account, key, endpoint, name + "()")).Select(r => r.GetRawText()).ToList();
            rows.Sort(StringComparer.Ordinal);
            snapshot[name] = rows;
        }

        return snapshot;
    }

    /// <summary>A short description of what differs between two snapshots (empty when equal).</summary>
    public static List<string> Differences(SortedDictionary<string, List<string>> before, SortedDictionary<string, List<string>> after)
    {
        var differences = new List<string>();
        foreach (var table in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var was = before.GetValueOrDefault(table) ?? [];
            var now = after.GetValueOrDefault(table) ?? [];
            differences.AddRange(now.Except(was).Select(r => $"{table} + {r}"));
            differences.AddRange(was.Except(now).Select(r => $"{table} - {r}"));
        }

        return differences;
    }

    private static async Task<List<JsonElement>> QueryAsync(HttpClient http, string account, byte[] key, string endpoint, string resource)
    {
        var rows = new List<JsonElement>();
        string? nextPartition = null, nextRow = null, nextTable = null;
        do
        {
            var query = new List<string>();
            if (nextPartition is not null)
            {
                query.Add("NextPartitionKey=" + Uri.EscapeDataString(nextPartition));
                query.Add("NextRowKey=" + Uri.EscapeDataString(nextRow ?? ""));
            }

            if (nextTable is not null)
            {
                query.Add("NextTableName=" + Uri.EscapeDataString(nextTable));
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint}/{resource}{(query.Count > 0 ? "?" + string.Join('&', query) : "")}");
            var date = TimeProvider.System.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
            var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{date}\n/{account}/{account}/{resource}")));
            request.Headers.TryAddWithoutValidation("x-ms-date", date);
            request.Headers.TryAddWithoutValidation("x-ms-version", "2019-02-02");
            request.Headers.Authorization = new AuthenticationHeaderValue("SharedKeyLite", $"{account}:{signature}");
            request.Headers.Accept.ParseAdd("application/json;odata=nometadata");
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"Azurite GET {resource} → {(int)response.StatusCode}: {text}");
            using var doc = JsonDocument.Parse(text);
            rows.AddRange(doc.RootElement.GetProperty("value").EnumerateArray().Select(e => e.Clone()));
            nextPartition = response.Headers.TryGetValues("x-ms-continuation-NextPartitionKey", out var p) ? p.First() : null;
            nextRow = response.Headers.TryGetValues("x-ms-continuation-NextRowKey", out var r) ? r.First() : null;
            nextTable = response.Headers.TryGetValues("x-ms-continuation-NextTableName", out var t) ? t.First() : null;
        }
        while (nextPartition is not null || nextTable is not null);

        return rows;
    }
}
