using Azure.Core;

namespace MoneyKitBridge.TableStorage;

/// <summary>Options of the Table clients: Azure.Core's retry, diagnostics and transport, plus a clock for signing.</summary>
public sealed class TableClientOptions : ClientOptions
{
    /// <summary>The service version sent as <c>x-ms-version</c>.</summary>
    public const string ServiceVersion = "2020-12-06";

    /// <summary>Creates options with exponential retries (3 tries, 0.8 s base, 30 s cap).</summary>
    public TableClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(800);
        Retry.MaxDelay = TimeSpan.FromSeconds(30);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(35);
    }

    /// <summary>The clock used for <c>x-ms-date</c>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
