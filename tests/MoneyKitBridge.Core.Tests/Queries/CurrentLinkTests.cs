using System.Text.Json;
using MoneyKitBridge.Core.Queries;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Queries;

public sealed class CurrentLinkTests
{
    private const string Synced = """{"link_id":"mk_1","institution_id":"instant_bank","state":"connected","error_code":null,"link_tags":["a"],"products":{"transactions":{"refreshed_at":"2026-03-02T12:00:00"}}}""";

    private static LinkState Row(string? state, string? errorCode = null, string? json = Synced, DateTimeOffset? deletedAt = null) =>
        new() { LinkId = "mk_1", LinkJson = json, State = state, ErrorCode = errorCode, DeletedAt = deletedAt };

    private static (string? State, string? ErrorCode, JsonElement Root) Read(string json)
    {
        var root = JsonDocument.Parse(json).RootElement.Clone();
        return (root.GetProperty("state").GetString(), root.TryGetProperty("error_code", out var e) ? e.GetString() : null, root);
    }

    private static (string? State, string? ErrorCode) StateOf(string json)
    {
        var (state, errorCode, _) = Read(json);
        return (state, errorCode);
    }

    [Fact]
    public void A_state_as_synced_serves_the_stored_json_itself()
    {
        var row = Row("connected");

        Assert.Same(row.LinkJson, CurrentLink.Json(row));
    }

    [Theory]
    [InlineData("auth_expired")]
    [InlineData("invalid_credentials")]
    [InlineData("system_error")]
    public void An_error_recorded_after_the_sync_shows_with_its_code_and_the_rest_is_kept(string errorCode)
    {
        var (state, error, root) = Read(CurrentLink.Json(Row("error", errorCode))!);

        Assert.Equal(("error", errorCode), (state, error));
        Assert.Equal("mk_1", root.GetProperty("link_id").GetString());
        Assert.Equal("a", root.GetProperty("link_tags")[0].GetString());
        Assert.Equal("2026-03-02T12:00:00", root.GetProperty("products").GetProperty("transactions").GetProperty("refreshed_at").GetString());
    }

    [Fact]
    public void Connected_again_after_an_error_sync_clears_the_error_code()
    {
        var erroredJson = """{"link_id":"mk_1","state":"error","error_code":"auth_expired"}""";

        Assert.Equal(("connected", (string?)null), StateOf(CurrentLink.Json(Row("connected", "auth_expired", erroredJson))!));
    }

    [Fact]
    public void A_tombstone_is_deleted_without_error_code()
    {
        var json = CurrentLink.Json(Row("error", "auth_expired", deletedAt: DateTimeOffset.UnixEpoch))!;

        Assert.Equal(("deleted", (string?)null), StateOf(json));
    }

    [Fact]
    public void An_error_code_missing_from_the_stored_json_is_added()
    {
        var json = CurrentLink.Json(Row("error", "user_error", """{"link_id":"mk_1","state":"connected"}"""))!;

        Assert.Equal(("error", "user_error"), StateOf(json));
    }

    [Fact]
    public void Without_a_link_object_or_a_recorded_state_the_stored_value_is_served()
    {
        Assert.Null(CurrentLink.Json(Row("error", "auth_expired", json: null)));
        var row = Row(null);
        Assert.Same(row.LinkJson, CurrentLink.Json(row));
    }
}
