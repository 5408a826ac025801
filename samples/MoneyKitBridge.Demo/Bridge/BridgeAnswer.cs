namespace MoneyKitBridge.Demo.Bridge;

/// <summary>An answer of the bridge API: its status and its JSON body, passed on to the page as they are.</summary>
public sealed record BridgeAnswer(int Status, string Json)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The answer as this backend's own answer to the page.</summary>
    public IResult ToResult() => TypedResults.Content(Json.Length == 0 ? "{}" : Json, "application/json", statusCode: Status);
}
