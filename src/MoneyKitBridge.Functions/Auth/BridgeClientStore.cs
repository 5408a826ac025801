using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MoneyKitBridge.Functions.Secrets;

namespace MoneyKitBridge.Functions.Auth;

/// <summary>
/// The bridge's clients from secret <c>Auth:Clients</c> (a JSON array of <c>client_id</c>, <c>client_secret</c>,
/// <c>scopes</c>). Secrets are hashed when the list is loaded and compared in constant time; a rotated list is
/// picked up when the secret provider serves a new value.
/// </summary>
public sealed class BridgeClientStore(ISecretProvider secrets)
{
    /// <summary>Name of the secret holding the client list.</summary>
    public const string SecretName = "Auth:Clients";

    private const int MinimumSecretLength = 16;
    private const int MaximumIdLength = 128;

    // Compared against when the client id is unknown, so that unknown and known ids cost the same.
    private static readonly byte[] UnknownClientHash = SHA256.HashData("unknown client"u8);

    private ClientList? loaded;

    /// <summary>The client whose id and secret match, or <see langword="null"/>.</summary>
    public async ValueTask<BridgeClient?> AuthenticateAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(clientSecret);
        var clients = await LoadAsync(cancellationToken);
        clients.TryGetValue(clientId, out var client);
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(clientSecret));
        var matches = CryptographicOperations.FixedTimeEquals(presented, client is null ? UnknownClientHash : client.SecretHash.Span);
        return matches ? client : null;
    }

    /// <summary>True when a client with this id exists.</summary>
    public async ValueTask<bool> ExistsAsync(string clientId, CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken)).ContainsKey(clientId);

    /// <summary>
    /// Parses and hashes a client list.
    /// </summary>
    /// <exception cref="FormatException">The list is malformed; the message names the entry, never a secret.</exception>
    public static FrozenDictionary<string, BridgeClient> Parse(string json)
    {
        List<BridgeClientEntry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(json, AuthJsonContext.Default.ListBridgeClientEntry);
        }
        catch (JsonException)
        {
            throw new FormatException("expected a JSON array of {\"client_id\",\"client_secret\",\"scopes\"}");
        }

        if (entries is not { Count: > 0 })
        {
            throw new FormatException("expected a non-empty JSON array of clients");
        }

        var clients = new Dictionary<string, BridgeClient>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var client = ParseEntry(entries[i], i);
            if (!clients.TryAdd(client.ClientId, client))
            {
                throw new FormatException($"client_id '{client.ClientId}' appears more than once");
            }
        }

        return clients.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>A description of what is wrong with <paramref name="json"/>, or <see langword="null"/> when it is valid.</summary>
    public static string? Validate(string json)
    {
        try
        {
            Parse(json);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static BridgeClient ParseEntry(BridgeClientEntry? entry, int index)
    {
        if (entry?.ClientId is not { Length: > 0 and <= MaximumIdLength } id || id.Any(char.IsWhiteSpace) || id.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"entry {index} needs a client_id of 1-{MaximumIdLength} characters without spaces or ':'");
        }

        if (entry.ClientSecret is not { Length: >= MinimumSecretLength } secret)
        {
            throw new FormatException($"client '{id}' needs a client_secret of at least {MinimumSecretLength} characters");
        }

        if (entry.Scopes is not { Count: > 0 } scopes || scopes.Any(s => !BridgeScopes.All.Contains(s)))
        {
            throw new FormatException($"client '{id}' needs scopes from: {string.Join(", ", BridgeScopes.All)}");
        }

        return new BridgeClient(id, SHA256.HashData(Encoding.UTF8.GetBytes(secret)), scopes.ToFrozenSet(StringComparer.Ordinal));
    }

    private async ValueTask<FrozenDictionary<string, BridgeClient>> LoadAsync(CancellationToken cancellationToken)
    {
        var json = await secrets.GetSecretAsync(SecretName, cancellationToken) ?? "";
        var version = SHA256.HashData(Encoding.UTF8.GetBytes(json));
        var current = loaded;
        if (current is not null && current.Version.AsSpan().SequenceEqual(version))
        {
            return current.Clients;
        }

        // A list that became malformed after start-up authenticates nobody rather than failing every request.
        FrozenDictionary<string, BridgeClient> clients;
        try
        {
            clients = Parse(json);
        }
        catch (FormatException)
        {
            clients = FrozenDictionary<string, BridgeClient>.Empty;
        }

        loaded = new ClientList(version, clients);
        return clients;
    }

    private sealed record ClientList(byte[] Version, FrozenDictionary<string, BridgeClient> Clients);
}
