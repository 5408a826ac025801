namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitOptionsValidatorTests
{
    private static readonly MoneyKitOptionsValidator Validator = new();

    [Fact]
    public void Defaults_WithAnHttpsBaseUrl_AreValid()
    {
        var result = Validator.Validate(null, new MoneyKitOptions { BaseUrl = new Uri("https://127.0.0.1:8443") });

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(null, "BaseUrl")]
    [InlineData("/relative", "BaseUrl")]
    [InlineData("ftp://127.0.0.1/", "BaseUrl")]
    public void BaseUrl_MustBeAbsoluteHttpOrHttps(string? url, string failure)
    {
        var options = new MoneyKitOptions { BaseUrl = url is null ? null : new Uri(url, UriKind.RelativeOrAbsolute) };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(failure, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2023-02-18", true)]
    [InlineData("2023-12-14", true)]
    [InlineData("2099-01-01", false)]
    [InlineData("2024-01-01", false)]
    [InlineData("latest", false)]
    public void Version_MustBeOneMoneyKitPublishes(string version, bool valid)
    {
        var result = Validator.Validate(null, new MoneyKitOptions { BaseUrl = new Uri("https://127.0.0.1:8443"), Version = version });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("MoneyKit:Version must be one of 2023-02-18, 2023-12-14", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OtherSettings_OutOfRange_AreEachReported()
    {
        var options = new MoneyKitOptions
        {
            BaseUrl = new Uri("http://127.0.0.1:5999"),
            Version = " ",
            RequestTimeout = TimeSpan.Zero,
            MaxRetries = -1,
            MaxRetryDelay = TimeSpan.Zero,
            TokenRefreshAhead = TimeSpan.FromSeconds(-1),
        };

        var result = Validator.Validate(null, options);

        Assert.Equal(5, result.Failures!.Count());
    }

    [Fact]
    public void Client_RefusesInvalidOptions()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentException>(() => new MoneyKitClient(
            http,
            (_, _) => ValueTask.FromResult(new MoneyKitCredentials("c", "s")),
            new MoneyKitOptions(),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MoneyKitClient>.Instance));
    }
}
