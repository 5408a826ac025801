namespace MoneyKitBridge.Functions.Operations;

/// <summary>A due resync of a link.</summary>
/// <param name="Generation">The snapshot generation being built.</param>
/// <param name="ServingGeneration">The generation serving reads until the switch.</param>
/// <param name="Reason">Why: <c>operator</c> or <c>cursor_rejected</c>.</param>
/// <param name="Status">Always <c>scheduled</c>: the walk runs in the background, under the link's sync lease.</param>
public sealed record ResyncStatus(long Generation, long ServingGeneration, string Reason, string Status);
