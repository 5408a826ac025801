using System.Globalization;
using System.Text.Json;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Institutions, account numbers and identity: answers the bridge stores as MoneyKit wrote them.</summary>
public sealed partial class MoneyKitClient
{
    /// <summary>
    /// The MoneyKit version whose shapes of <see cref="GetAccountNumbersAsync"/> and <see cref="GetIdentityAsync"/>
    /// the bridge stores and serves (<c>GetAccountNumbersResponseLegacy20230218</c>), whatever version it is pinned to otherwise.
    /// </summary>
    public const string StoredProductVersion = "2023-02-18";

    /// <summary>Largest page of <c>GET /institutions</c> MoneyKit serves.</summary>
    public const int MaxInstitutionsPage = 100;

    /// <summary><c>GET /institutions</c>: one page of MoneyKit's institution list.</summary>
    /// <param name="cursor">The previous page's <c>cursors.next</c>, or null for the first page.</param>
    /// <param name="limit">Page size, 1 to <see cref="MaxInstitutionsPage"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MoneyKitException">MoneyKit refused or could not be reached.</exception>
    public async Task<MoneyKitInstitutionsPage> GetInstitutionsAsync(string? cursor, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxInstitutionsPage);
        var query = "?limit=" + limit.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(cursor))
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, "institutions", Query: query), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitInstitutionsPage);
    }

    /// <summary><c>GET /links/{id}/accounts/numbers</c> in the <see cref="StoredProductVersion"/> shape (numbers on each account).</summary>
    /// <exception cref="MoneyKitException">E.g. 403 <c>link_error.forbidden_action</c> when the product is not granted.</exception>
    public async Task<MoneyKitProductResponse> GetAccountNumbersAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, LinkPath(linkId) + "/accounts/numbers", Version: StoredProductVersion), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitProductResponse);
    }

    /// <summary><c>GET /links/{id}/identity</c> (<c>IdentityResponse</c>).</summary>
    /// <exception cref="MoneyKitException">E.g. 403 <c>link_error.forbidden_action</c> when the product is not granted.</exception>
    public async Task<MoneyKitProductResponse> GetIdentityAsync(string linkId, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new MoneyKitCall(HttpMethod.Get, LinkPath(linkId) + "/identity", Version: StoredProductVersion), cancellationToken);
        return Read(reply, MoneyKitJsonContext.Default.MoneyKitProductResponse);
    }
}

/// <summary>One page of <c>GET /institutions</c>: each institution as MoneyKit wrote it.</summary>
public sealed record MoneyKitInstitutionsPage
{
    /// <summary>MoneyKit's <c>Institution</c> objects, unchanged.</summary>
    public IReadOnlyList<JsonElement> Institutions { get; init; } = [];

    /// <summary>Where the next page starts (<c>next</c> is null on the last page).</summary>
    public MoneyKitCursors? Cursors { get; init; }
}

/// <summary><c>cursors</c> of a cursor-paged MoneyKit answer.</summary>
/// <param name="Next">The cursor of the next page, or null on the last page.</param>
public sealed record MoneyKitCursors(string? Next);

/// <summary>An answer of a link product made of accounts (account numbers, identity): the accounts as MoneyKit wrote them, and the link.</summary>
public sealed record MoneyKitProductResponse
{
    /// <summary>The accounts with the product's data (<c>numbers</c> or <c>owners</c>), unchanged.</summary>
    public IReadOnlyList<JsonElement> Accounts { get; init; } = [];

    /// <summary>The link as MoneyKit reported it with this answer.</summary>
    public MoneyKitLink? Link { get; init; }
}
