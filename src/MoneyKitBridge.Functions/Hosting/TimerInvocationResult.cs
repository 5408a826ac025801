using System.Text.Json;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>The answer the host expects: always a JSON object, never an empty body.</summary>
/// <param name="Outputs">Output bindings (none for our timer).</param>
/// <param name="Logs">Lines the host logs against the invocation.</param>
/// <param name="ReturnValue">Always <see langword="null"/>.</param>
public sealed record TimerInvocationResult(
    Dictionary<string, JsonElement> Outputs,
    IReadOnlyList<string> Logs,
    JsonElement? ReturnValue);
