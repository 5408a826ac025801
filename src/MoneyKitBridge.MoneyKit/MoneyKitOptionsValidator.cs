using Microsoft.Extensions.Options;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Checks <see cref="MoneyKitOptions"/> when the host starts (and when the client is constructed).</summary>
internal sealed class MoneyKitOptionsValidator : IValidateOptions<MoneyKitOptions>
{
    public ValidateOptionsResult Validate(string? name, MoneyKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BaseUrl is not { IsAbsoluteUri: true } baseUrl
            || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("MoneyKit:BaseUrl must be an absolute http or https URL.");
        }

        if (!MoneyKitOptions.KnownVersions.Contains(options.Version, StringComparer.Ordinal))
        {
            failures.Add($"MoneyKit:Version must be one of {string.Join(", ", MoneyKitOptions.KnownVersions)}.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("MoneyKit:RequestTimeout must be positive.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("MoneyKit:MaxRetries must be between 0 and 10.");
        }

        if (options.MaxRetryDelay <= TimeSpan.Zero)
        {
            failures.Add("MoneyKit:MaxRetryDelay must be positive.");
        }

        if (options.TokenRefreshAhead < TimeSpan.Zero)
        {
            failures.Add("MoneyKit:TokenRefreshAhead must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
