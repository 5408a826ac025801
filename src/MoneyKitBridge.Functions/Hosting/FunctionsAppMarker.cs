namespace MoneyKitBridge.Functions.Hosting;

/// <summary>
/// Names this app's assembly for <c>WebApplicationFactory</c> (the global <c>Program</c> type is ambiguous when a
/// test project also references the sandbox).
/// </summary>
public sealed class FunctionsAppMarker
{
    private FunctionsAppMarker()
    {
    }
}
