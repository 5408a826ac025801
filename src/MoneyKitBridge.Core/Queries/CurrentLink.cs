using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Queries;

/// <summary>
/// The link object every read serves: MoneyKit's JSON from the last sync with <c>state</c> and <c>error_code</c> as
/// MoneyKit last said them. A <c>link.state_changed</c> webhook (or a sync refused with a link error) records the new
/// state on the state row without rewriting the link object; the state row's <c>State</c>/<c>ErrorCode</c> are
/// therefore the newest word and win over the stored JSON. A tombstone is <c>deleted</c>.
/// </summary>
public static class CurrentLink
{
    /// <summary>The link JSON to serve, or null when the bridge holds no link object. Unchanged (same string) when the stored JSON is current.</summary>
    public static string? Json(LinkState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.LinkJson is not { } json)
        {
            return null;
        }

        var (linkState, errorCode) = state.IsDeleted
            ? (MoneyKitLinkStates.Deleted, null)
            : (state.State, state.State == MoneyKitLinkStates.Error ? state.ErrorCode : null);
        if (linkState is null || Says(json, linkState, errorCode))
        {
            return json;
        }

        var node = JsonNode.Parse(json)!.AsObject();
        node["state"] = linkState;
        node["error_code"] = errorCode;
        return node.ToJsonString();
    }

    /// <summary>Whether the JSON's top-level <c>state</c> and <c>error_code</c> (absent counts as null) are these.</summary>
    private static bool Says(string json, string linkState, string? errorCode)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? seenState = null;
        string? seenError = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isState = reader.ValueTextEquals("state"u8);
            var isError = !isState && reader.ValueTextEquals("error_code"u8);
            reader.Read();
            if (isState || isError)
            {
                var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (isState)
                {
                    seenState = value;
                }
                else
                {
                    seenError = value;
                }
            }

            reader.Skip();
        }

        return seenState == linkState && seenError == errorCode;
    }
}
