using Microsoft.Extensions.Options;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Functions.Hosting;

/// <summary>Turns a fatal start-up exception into the single stderr line the process exits with.</summary>
public static class StartupFailure
{
    /// <summary>A one-line description: configuration problems verbatim, anything else by type and message.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var root = exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;
        var text = root switch
        {
            BridgeConfigurationException configuration => $"Invalid configuration: {configuration.Message}",
            StorageStartupException storage => $"Invalid configuration: {storage.Message}",
            OptionsValidationException options => $"Invalid configuration ({options.OptionsName}): {options.Message}",
            _ => $"Fatal error: {root.GetType().Name}: {root.Message}",
        };
        return text.ReplaceLineEndings(" ");
    }
}
