using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Links;

/// <summary>One account of a link. Balances change under the link's lock.</summary>
internal sealed class SandboxAccount
{
    public required string Id { get; init; }

    public required string Type { get; init; }

    public required string Name { get; init; }

    public required string Mask { get; init; }

    public required string AccountNumber { get; init; }

    public required string RoutingNumber { get; init; }

    public decimal? Available { get; set; }

    public decimal Current { get; set; }

    public decimal? Limit { get; init; }

    public DateTimeOffset BalanceDate { get; set; }

    public bool IsCredit => Type.StartsWith("credit", StringComparison.Ordinal);

    public AccountWire ToWire() => new(Id, Type, Name, Mask, Balances(), null, false);

    public BalancesWire Balances() => new("USD", Available, Current, Limit, BalanceDate.UtcDateTime);
}

/// <summary>The identity behind a link's accounts.</summary>
internal sealed record SandboxOwner(string Name, string Email, string Phone, string Street, string City, string Region, string PostalCode);
