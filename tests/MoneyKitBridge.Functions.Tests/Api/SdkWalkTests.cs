using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Functions.Tests.Hosting;
using MoneyKitBridge.Testing.Contract;

namespace MoneyKitBridge.Functions.Tests.Api;

/// <summary>
/// Issue 14's end-to-end walk of the SDK surface an app uses — token, institutions, link session, link (headless
/// Connect at the sandbox), accounts, numbers, identity, transactions in several query forms, the user routes with
/// MoneyKit's published filters, sync to the end, refresh, and the error
/// of a missing link — run once against the sandbox (as MoneyKit) and once against the bridge, with nothing changed but
/// the base URL and the credentials. The same assertions hold for both, in each <c>MoneyKit-Version</c> (an SDK of
/// 2023-12-14 reads numbers from a top-level <c>numbers</c> and pages the transaction list by cursor).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class SdkWalkTests(ApiFixture fixture)
{
    public static TheoryData<string, string> Targets()
    {
        var data = new TheoryData<string, string>();
        foreach (var version in MoneyKitModels.Versions)
        {
            data.Add("sandbox", version);
            data.Add("bridge", version);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_SDK_surface_walks_the_same_against_the_sandbox_and_the_bridge(string target, string version)
    {
        var sdk = target == "bridge"
            ? new MoneyKitSdkClient(fixture.App, new Uri(fixture.App.BaseAddress!, "api/"), BridgeAppFactory.SdkId, BridgeAppFactory.SdkSecret, version)
            : new MoneyKitSdkClient(fixture.Sandbox, fixture.Sandbox.BaseAddress!, "sandbox_client_id", "sandbox_client_secret", version);
        await WalkAsync(sdk, $"sdk-walk-{target}-{version}");
    }

    /// <summary>The walk itself: knows only the SDK client (base URL and credentials) and the sandbox's Connect UI.</summary>
    private async Task WalkAsync(MoneyKitSdkClient sdk, string userId)
    {
        // Token.
        var token = await sdk.GenerateAccessTokenAsync();
        Assert.Empty(MoneyKitModels.Token.Check(token, "$"));

        // Institutions: the list, its filters and pages, and one institution.
        var institutions = await sdk.GetOkAsync("institutions");
        Assert.Empty(MoneyKitModels.Institutions.Check(institutions, "$"));
        var everyBank = new[] { "credentials_bank", "instant_bank", "oauth_bank" };
        Assert.Equal(everyBank, Ids(institutions["institutions"], "institution_id").Order(StringComparer.Ordinal));
        var named = await sdk.GetOkAsync("institutions?name=instant");
        Assert.Equal(["instant_bank"], Ids(named["institutions"], "institution_id"));
        var featured = await sdk.GetOkAsync("institutions?featured=true");
        Assert.All(featured["institutions"]!.AsArray(), i => Assert.True(i!["is_featured"]!.GetValue<bool>()));
        var firstPage = await sdk.GetOkAsync("institutions?limit=2");
        Assert.Equal(2, firstPage["institutions"]!.AsArray().Count);
        var secondPage = await sdk.GetOkAsync($"institutions?limit=2&cursor={Uri.EscapeDataString(firstPage["cursors"]!["next"]!.GetValue<string>())}");
        Assert.Equal(everyBank, Ids(firstPage["institutions"], "institution_id").Concat(Ids(secondPage["institutions"], "institution_id")).Order(StringComparer.Ordinal));
        Assert.Null(secondPage["cursors"]!["next"]);
        var (badLimit, badLimitBody) = await sdk.GetAsync("institutions?limit=0");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badLimit);
        Assert.Equal("api_error.request.validation_failed", badLimitBody["error_code"]!.GetValue<string>());
        var instant = await sdk.GetOkAsync("institutions/instant_bank");
        Assert.Empty(MoneyKitModels.Institution.Check(instant, "$"));
        Assert.Equal("Instant Bank", instant["name"]!.GetValue<string>());
        var (missingInstitution, missingInstitutionBody) = await sdk.GetAsync("institutions/no_such_bank");
        Assert.Equal(HttpStatusCode.NotFound, missingInstitution);
        Assert.Equal("institution_error.not_found", missingInstitutionBody["error_code"]!.GetValue<string>());

        // Link session, Connect (the sandbox's headless control surface, as a user clicking through), exchange.
        var (sessionStatus, session) = await sdk.PostAsync("link-session", new JsonObject
        {
            ["customer_user"] = new JsonObject { ["id"] = userId },
            ["institution_id"] = "instant_bank",
        });
        Assert.Equal(HttpStatusCode.OK, sessionStatus);
        Assert.Empty(MoneyKitModels.LinkSession.Check(session, "$"));
        var step = JsonDocument.Parse(await fixture.Sandbox.GetStringAsync(new Uri($"sandbox/connect/{session["link_session_token"]!.GetValue<string>()}", UriKind.Relative))).RootElement;
        Assert.Equal("complete", step.GetProperty("step").GetString());
        await fixture.SeedAsync(step.GetProperty("link_id").GetString()!, 20, 60);
        var (exchangeStatus, exchange) = await sdk.PostAsync("link-session/exchange-token", new JsonObject { ["exchangeable_token"] = step.GetProperty("exchangeable_token").GetString() });
        Assert.Equal(HttpStatusCode.OK, exchangeStatus);
        Assert.Empty(MoneyKitModels.ExchangeToken.Check(exchange, "$"));
        var linkId = exchange["link"]!["link_id"]!.GetValue<string>();
        var link = await sdk.GetOkAsync($"links/{linkId}");
        Assert.Empty(MoneyKitModels.Link.Check(link, "$"));
        Assert.Equal("connected", link["state"]!.GetValue<string>());

        // Accounts, numbers, identity.
        var accounts = await sdk.GetOkAsync($"links/{linkId}/accounts");
        Assert.Empty(MoneyKitModels.Accounts.Check(accounts, "$"));
        var accountIds = Ids(accounts["accounts"], "account_id");
        Assert.Equal(3, accountIds.Count);
        Assert.Contains("credit_card", accounts["accounts"]!.AsArray().Select(a => a!["account_type"]!.GetValue<string>()));
        var legacy = sdk.Version == MoneyKitModels.V20230218;
        var numbers = await sdk.GetOkAsync($"links/{linkId}/accounts/numbers");
        Assert.Empty(MoneyKitModels.AccountNumbersFor(sdk.Version).Check(numbers, "$"));
        Assert.Equal(accountIds.Order(StringComparer.Ordinal), Ids(numbers["accounts"], "account_id").Order(StringComparer.Ordinal));
        var ach = legacy
            ? numbers["accounts"]!.AsArray().Select(a => a!["numbers"]!["ach"]![0]!).ToList()
            : [.. numbers["numbers"]!["ach"]!.AsArray().Select(n => n!)];
        Assert.Equal(accountIds.Count, ach.Count);
        Assert.All(ach, n => Assert.Matches("^[0-9]{9}$", n["routing_number"]!.GetValue<string>()));
        if (!legacy)
        {
            Assert.Equal(accountIds.Order(StringComparer.Ordinal), Ids(numbers["numbers"]!["ach"], "account_id").Order(StringComparer.Ordinal));
        }

        var identity = await sdk.GetOkAsync($"links/{linkId}/identity");
        Assert.Empty(MoneyKitModels.Identity.Check(identity, "$"));
        Assert.All(identity["accounts"]!.AsArray(), a => Assert.NotEmpty(a!["owners"]![0]!["names"]!.AsArray()));

        // Transactions: the seed's query forms, paged as the version pages them.
        var allIds = await TransactionFormsAsync(sdk, linkId, accountIds);

        // The user's routes: links, accounts and transactions with MoneyKit's published filters.
        await UserFormsAsync(sdk, userId, linkId, accountIds);

        // Sync to the end: a mirror built from the feed, page by page from an empty cursor, holds exactly the link's transactions.
        Assert.Equal(allIds.Order(StringComparer.Ordinal), (await SyncToTheEndAsync(sdk, linkId)).Order(StringComparer.Ordinal));

        // Refresh.
        var (refresh, _) = await sdk.PostAsync($"links/{linkId}/products", new JsonObject { ["products"] = new JsonArray("transactions") });
        Assert.Equal(HttpStatusCode.Accepted, refresh);

        // The error of a missing link.
        var (missing, missingBody) = await sdk.GetAsync("links/mk_no_such_link");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Empty(MoneyKitModels.Error("link_error.not_found").Check(missingBody, "$"));
    }

    /// <summary>The list's query forms: everything, the defaults, a second page, one account, an end date, a bad page; the ids of everything.</summary>
    private static async Task<List<string>> TransactionFormsAsync(MoneyKitSdkClient sdk, string linkId, List<string> accountIds)
    {
        var legacy = sdk.Version == MoneyKitModels.V20230218;
        var shape = MoneyKitModels.TransactionsFor(sdk.Version);
        var all = await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&size=100");
        Assert.Empty(shape.Check(all, "$"));
        var allIds = Ids(all["transactions"], "transaction_id");
        Assert.Equal(22, allIds.Count); // two from Connect, twenty seeded
        var defaults = await sdk.GetOkAsync($"links/{linkId}/transactions");
        Assert.Equal(allIds, Ids(defaults["transactions"], "transaction_id")); // the default window (90 days) holds the 60 seeded days
        var oneAccount = await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&size=100&account_ids={accountIds[0]}");
        Assert.All(oneAccount["transactions"]!.AsArray(), t => Assert.Equal(accountIds[0], t!["account_id"]!.GetValue<string>()));
        Assert.Equal(all["transactions"]!.AsArray().Count(t => t!["account_id"]!.GetValue<string>() == accountIds[0]), oneAccount["transactions"]!.AsArray().Count);
        var dates = all["transactions"]!.AsArray().Select(t => t!["date"]!.GetValue<string>()).ToList();
        var cut = dates[dates.Count / 2];
        var upToCut = await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&end_date={cut}&size=100");
        Assert.Equal(dates.Count(d => string.CompareOrdinal(d, cut) <= 0), upToCut["transactions"]!.AsArray().Count);
        string badPaging;
        if (legacy)
        {
            Assert.Equal(22, all["total"]!.GetValue<int>());
            Assert.Equal(1, defaults["page"]!.GetValue<int>());
            var page2 = await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&size=5&page=2");
            Assert.Equal(allIds.Skip(5).Take(5), Ids(page2["transactions"], "transaction_id"));
            Assert.Equal(22, page2["total"]!.GetValue<int>());
            Assert.Equal(all["transactions"]!.AsArray().Count(t => t!["account_id"]!.GetValue<string>() == accountIds[0]), oneAccount["total"]!.GetValue<int>());
            badPaging = "page=0";
        }
        else
        {
            Assert.Null(all["cursor"]!["next"]);
            var page1 = await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&size=5");
            Assert.Empty(shape.Check(page1, "$"));
            var page2 = await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&size=5&cursor={Uri.EscapeDataString(page1["cursor"]!["next"]!.GetValue<string>())}");
            Assert.Equal(allIds.Take(5), Ids(page1["transactions"], "transaction_id"));
            Assert.Equal(allIds.Skip(5).Take(5), Ids(page2["transactions"], "transaction_id"));
            Assert.NotNull(page2["cursor"]!["next"]);
            badPaging = "cursor=not-a-cursor";
        }

        var (badQuery, badQueryBody) = await sdk.GetAsync($"links/{linkId}/transactions?{badPaging}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badQuery);
        Assert.Equal("api_error.request.validation_failed", badQueryBody["error_code"]!.GetValue<string>());
        return allIds;
    }

    /// <summary>
    /// <c>users/{id}/links</c>, <c>/accounts</c> (<c>account_ids</c>, <c>institution_ids</c>) and <c>/transactions</c>
    /// (<c>transaction_type</c>, <c>category</c>, <c>account_id</c>, <c>institution_id</c>, <c>page</c>, <c>size</c> up to
    /// 500); expectations come from the link's own transaction list.
    /// </summary>
    private static async Task UserFormsAsync(MoneyKitSdkClient sdk, string userId, string linkId, List<string> accountIds)
    {
        var links = await sdk.GetOkAsync($"users/{userId}/links");
        Assert.Empty(MoneyKitModels.UserLinks.Check(links, "$"));
        Assert.Equal([linkId], links["links"]!.AsObject().Select(p => p.Key));
        var accounts = await sdk.GetOkAsync($"users/{userId}/accounts");
        Assert.Empty(MoneyKitModels.UserAccounts.Check(accounts, "$"));
        Assert.Equal(accountIds.Order(StringComparer.Ordinal), Ids(accounts["links"]![linkId]!["accounts"], "account_id").Order(StringComparer.Ordinal));
        var oneAccount = await sdk.GetOkAsync($"users/{userId}/accounts?account_ids={accountIds[1]}&institution_ids=instant_bank");
        Assert.Equal([accountIds[1]], Ids(oneAccount["links"]![linkId]!["accounts"], "account_id"));
        Assert.Empty((await sdk.GetOkAsync($"users/{userId}/accounts?institution_ids=oauth_bank"))["links"]!.AsObject());

        var linkList = (await sdk.GetOkAsync($"links/{linkId}/transactions?start_date=2000-01-01&size=100"))["transactions"]!.AsArray().Select(t => t!).ToList();
        var category = linkList[0]["category"]!.GetValue<string>();
        var forms = new (string Query, Func<JsonNode, bool> Keep)[]
        {
            (string.Empty, _ => true),
            ("transaction_type=credit", t => t["type"]!.GetValue<string>() == "credit"),
            ("transaction_type=debit&transaction_type=credit", _ => true),
            ($"category={category}", t => t["category"]!.GetValue<string>() == category),
            ($"account_id={accountIds[0]}&transaction_type=debit", t => t["account_id"]!.GetValue<string>() == accountIds[0] && t["type"]!.GetValue<string>() == "debit"),
            ("institution_id=oauth_bank", _ => false),
        };
        foreach (var (query, keep) in forms)
        {
            var page = await sdk.GetOkAsync($"users/{userId}/transactions?start_date=2000-01-01&size=500&{query}");
            Assert.Empty(MoneyKitModels.UserTransactions.Check(page, "$"));
            var expected = linkList.Where(keep).Select(t => t["transaction_id"]!.GetValue<string>()).ToList();
            Assert.Equal(expected, Ids(page["transactions"], "transaction_id"));
            Assert.Equal(expected.Count, page["total"]!.GetValue<int>());
        }

        var second = await sdk.GetOkAsync($"users/{userId}/transactions?start_date=2000-01-01&size=5&page=2");
        Assert.Equal(linkList.Skip(5).Take(5).Select(t => t["transaction_id"]!.GetValue<string>()), Ids(second["transactions"], "transaction_id"));
        foreach (var bad in new[] { "size=501", "page=0", "transaction_type=refund", "end_date=2026-02-30" })
        {
            var (status, body) = await sdk.GetAsync($"users/{userId}/transactions?{bad}");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Equal("api_error.request.validation_failed", body["error_code"]!.GetValue<string>());
        }
    }

    /// <summary>Follows <c>GET links/{id}/transactions/sync</c> from an empty cursor until <c>has_more</c> is false; the ids a mirror ends with.</summary>
    private static async Task<HashSet<string>> SyncToTheEndAsync(MoneyKitSdkClient sdk, string linkId)
    {
        var mirror = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await sdk.GetOkAsync($"links/{linkId}/transactions/sync?size=5" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.Empty(MoneyKitModels.TransactionsSync.Check(page, "$"));
            var changes = page["transactions"]!;
            mirror.UnionWith(Ids(changes["created"], "transaction_id"));
            mirror.UnionWith(Ids(changes["updated"], "transaction_id"));
            mirror.ExceptWith(changes["removed"]!.AsArray().Select(id => id!.GetValue<string>()));
            cursor = page["cursor"]!["next"]!.GetValue<string>();
            if (!page["has_more"]!.GetValue<bool>())
            {
                return mirror;
            }
        }

        throw new Xunit.Sdk.XunitException("The feed still had more after 20 pages of 5 (22 transactions).");
    }

    private static List<string> Ids(JsonNode? array, string field) => [.. array!.AsArray().Select(e => e![field]!.GetValue<string>())];
}
