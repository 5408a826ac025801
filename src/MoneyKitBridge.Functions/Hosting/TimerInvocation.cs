using System.Text.Json;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>The body the Functions host posts to <c>/{FunctionName}</c> for a timer trigger.</summary>
/// <param name="Data">Trigger data by binding name (ours: <c>timer</c>).</param>
/// <param name="Metadata">Binding metadata (<c>sys</c>, <c>RetryContext</c>); not used.</param>
public sealed record TimerInvocation(
    Dictionary<string, TimerTriggerData?>? Data,
    JsonElement? Metadata);
