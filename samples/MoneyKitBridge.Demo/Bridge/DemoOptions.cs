using System.ComponentModel.DataAnnotations;

namespace MoneyKitBridge.Demo.Bridge;

/// <summary>The <c>Demo</c> configuration section: where the bridge and the Connect UI are, and the bridge client credentials.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>The bridge's root address (its API is under <c>api/</c>), e.g. <c>http://127.0.0.1:7071/</c>.</summary>
    [Required]
    public Uri? BridgeUrl { get; set; }

    /// <summary>The bridge client id this backend signs in with (scopes <c>links:read</c> and <c>links:write</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>Its secret. Stays on the server: never written to a page, a log or an answer.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>The Connect UI for a link session token: <c>{token}</c> is replaced, e.g. <c>http://127.0.0.1:5005/connect/{token}</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression(@"^https?://.*\{token\}.*$", ErrorMessage = "ConnectUrl must be an http(s) URL containing {token}.")]
    public string ConnectUrl { get; set; } = string.Empty;
}
