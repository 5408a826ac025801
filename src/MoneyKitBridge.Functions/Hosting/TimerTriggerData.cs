using System.Text.Json;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>The host's serialized <c>TimerInfo</c>.</summary>
/// <param name="Schedule">Schedule description (e.g. <c>{"AdjustForDST":true}</c>).</param>
/// <param name="ScheduleStatus"><c>{Last, Next, LastUpdated}</c>, or <see langword="null"/> without a schedule monitor. Date formats vary, so it is kept raw.</param>
/// <param name="IsPastDue">True when the invocation is later than scheduled.</param>
public sealed record TimerTriggerData(JsonElement? Schedule, JsonElement? ScheduleStatus, bool IsPastDue);
