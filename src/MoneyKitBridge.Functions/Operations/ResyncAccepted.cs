namespace MoneyKitBridge.Functions.Operations;

/// <summary>The 202 of <c>POST /api/ops/links/{link_id}/resync</c> (snake_case, like MoneyKit's answers).</summary>
/// <param name="LinkId">The link.</param>
/// <param name="Resync">The resync that is due.</param>
public sealed record ResyncAccepted(string LinkId, ResyncStatus Resync);
