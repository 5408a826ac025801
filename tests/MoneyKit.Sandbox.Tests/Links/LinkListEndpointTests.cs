using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MoneyKit.Sandbox;

namespace MoneyKit.Sandbox.Tests.Links;

/// <summary>
/// <c>GET /links</c> lists the calling app's active links as MoneyKit does (<c>GetLinksResponse</c>: link_id and
/// created_at, <c>next_cursor</c>), in creation order, paged by <c>cursor</c> and <c>limit</c>.
/// </summary>
public sealed class LinkListEndpointTests
{
    [Fact]
    public async Task Pages_the_apps_active_links_in_creation_order_with_MoneyKits_shape()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.Apps.Add(new SandboxApp("other_app", "other_secret")));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await sandbox.CreateLinkAsync(new { customer_user_id = "u" + i }))["link_id"]!.GetValue<string>());
            sandbox.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var foreign = (await sandbox.CreateLinkAsync(new { customer_user_id = "x", client_id = "other_app" }))["link_id"]!.GetValue<string>();
        using (var deleted = await sandbox.Http.PostAsJsonAsync($"sandbox/links/{ids[1]}/state", new { state = "deleted" }))
        {
            deleted.EnsureSuccessStatusCode();
        }

        await sandbox.AuthenticateAsync();
        var first = await sandbox.GetJsonAsync("links?limit=2");
        Assert.Equal(["links", "next_cursor"], first.Select(p => p.Key).Order(StringComparer.Ordinal));
        var firstLinks = first["links"]!.AsArray();
        Assert.Equal([ids[0], ids[2]], firstLinks.Select(l => l!["link_id"]!.GetValue<string>()));
        Assert.Equal(["created_at", "link_id"], firstLinks[0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(DateTimeOffset.Parse(firstLinks[1]!["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), sandbox.Clock.GetUtcNow().AddSeconds(-3));

        var cursor = first["next_cursor"]!.GetValue<string>();
        var newest = (await sandbox.CreateLinkAsync(new { customer_user_id = "late" }))["link_id"]!.GetValue<string>(); // created while paging
        var second = await sandbox.GetJsonAsync("links?limit=2&cursor=" + Uri.EscapeDataString(cursor));
        Assert.Equal([ids[3], ids[4]], second["links"]!.AsArray().Select(l => l!["link_id"]!.GetValue<string>()));
        var third = await sandbox.GetJsonAsync("links?limit=2&cursor=" + Uri.EscapeDataString(second["next_cursor"]!.GetValue<string>()));
        Assert.Equal([newest], third["links"]!.AsArray().Select(l => l!["link_id"]!.GetValue<string>()));
        Assert.Null(third["next_cursor"]);

        var all = await sandbox.GetJsonAsync("links");
        Assert.Equal(5, all["links"]!.AsArray().Count);
        Assert.DoesNotContain(foreign, all["links"]!.AsArray().Select(l => l!["link_id"]!.GetValue<string>()));

        sandbox.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await sandbox.GetTokenAsync("other_app", "other_secret"));
        var theirs = await sandbox.GetJsonAsync("links");
        Assert.Equal([foreign], theirs["links"]!.AsArray().Select(l => l!["link_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("links?limit=0", "limit")]
    [InlineData("links?limit=1001", "limit")]
    [InlineData("links?limit=ten", "limit")]
    [InlineData("links?cursor=not-a-cursor", "cursor")]
    [InlineData("links?cursor=aW5zdGl0dXRpb25zIDE%3D", "cursor")]
    public async Task Bad_query_values_are_a_validation_error(string path, string field)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.AuthenticateAsync();

        using var response = await sandbox.Http.GetAsync(path);

        await SandboxHarness.AssertErrorAsync(response, 422, "api_error.request.validation_failed");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, body["validation_errors"]![0]!["loc"]![1]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_token_the_list_is_refused()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        using var response = await sandbox.Http.GetAsync("links");

        await SandboxHarness.AssertErrorAsync(response, 401, "api_error.auth.unauthorized");
    }
}
