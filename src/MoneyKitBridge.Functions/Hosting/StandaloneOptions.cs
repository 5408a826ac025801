namespace MoneyKitBridge.Functions.Hosting;

/// <summary>Settings for running without the Functions host (section <c>Standalone</c>).</summary>
public sealed class StandaloneOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Standalone";

    /// <summary>
    /// When true the app fires its timer functions itself from their schedules (<c>Standalone__RunTimer</c>).
    /// Leave false under the Functions host, which fires them (once across instances).
    /// </summary>
    /// <value>Defaults to false.</value>
    public bool RunTimer { get; set; }
}
