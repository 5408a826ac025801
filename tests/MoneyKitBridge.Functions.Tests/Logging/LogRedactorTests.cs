using MoneyKitBridge.Functions.Logging;

namespace MoneyKitBridge.Functions.Tests.Logging;

public sealed class LogRedactorTests
{
    [Theory]
    [InlineData("Request starting HTTP/1.1 GET http://localhost/api/links/x?access_token=SECRET - - -", "Request starting HTTP/1.1 GET http://localhost/api/links/x?access_token=[redacted] - - -")]
    [InlineData("/api/x?page=2&client_secret=SECRET&size=10", "/api/x?page=2&client_secret=[redacted]&size=10")]
    [InlineData("/api/x?foo=SECRET", "/api/x?foo=[redacted]")]
    [InlineData("/api/x?access%5Ftoken=SECRET", "/api/x?access%5Ftoken=[redacted]")]
    [InlineData("Authorization: Bearer SECRET", "Authorization: [redacted] [redacted]")]
    [InlineData("bad header 'Cookie: session=SECRET'", "bad header 'Cookie: [redacted]'")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.SECRET", "token [redacted]")]
    [InlineData("Basic U0VDUkVUOlNFQ1JFVA==", "Basic [redacted]")]
    public void Removes_credentials(string text, string expected)
    {
        var redacted = LogRedactor.Redact(text);

        Assert.Equal(expected, redacted);
        Assert.DoesNotContain("SECRET", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Request finished HTTP/1.1 GET http://localhost/api/links/mk_1/transactions?page=2&size=50&start_date=2025-01-01 - 200")]
    [InlineData("due=3 refreshed=1 webhook_keys_purged=0")]
    [InlineData("Standalone timer RefreshStaleLinks scheduled")]
    public void Leaves_harmless_text_alone(string text) =>
        Assert.Same(text, LogRedactor.Redact(text));
}
