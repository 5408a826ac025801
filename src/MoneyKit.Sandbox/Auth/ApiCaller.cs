namespace MoneyKit.Sandbox.Auth;

/// <summary>The authenticated app of the current request.</summary>
internal static class ApiCaller
{
    private const string ItemKey = "moneykit.sandbox.client_id";

    public static void Set(HttpContext context, string clientId) => context.Items[ItemKey] = clientId;

    public static string ClientId(HttpContext context) =>
        context.Items[ItemKey] as string ?? throw new InvalidOperationException("Endpoint is not behind the API authentication filter.");
}
