using System.Globalization;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Transactions;

/// <summary>One transaction as the sandbox stores it. Mutated only under its link's lock.</summary>
internal sealed class SandboxTransaction
{
    public required string Id { get; init; }

    public required string AccountId { get; init; }

    public required decimal Amount { get; set; }

    public required bool IsCredit { get; init; }

    public required DateOnly Date { get; set; }

    public required TimeOnly Time { get; init; }

    public required string Description { get; set; }

    public required string RawDescription { get; init; }

    public required string Category { get; init; }

    public required string Subcategory { get; init; }

    public required string MerchantId { get; init; }

    public required bool Pending { get; set; }

    /// <summary>Change sequence at which the transaction first appeared.</summary>
    public long CreatedSeq { get; set; }

    /// <summary>Change sequence of the latest change (create, update or removal).</summary>
    public long ChangedSeq { get; set; }

    public bool Removed { get; set; }

    /// <summary>Dropped pending transaction (MoneyKit mode): gone, but never reported in sync <c>removed</c>.</summary>
    public bool Dropped { get; set; }

    public TransactionWire ToWire() => new(
        Id,
        AccountId,
        Amount.ToString("0.00", CultureInfo.InvariantCulture),
        IsCredit ? "credit" : "debit",
        "USD",
        Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Date.ToDateTime(Time).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
        Description,
        RawDescription,
        Pending,
        Category,
        new EnrichmentWire(
            new ConfidenceValueWire(Category, 90),
            new ConfidenceValueWire(Subcategory, 85),
            new MerchantWire(MerchantId, Description, null, 80),
            null,
            null),
        null);
}
