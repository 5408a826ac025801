using Microsoft.AspNetCore.Http;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

public sealed class ApiVersionsTests
{
    [Theory]
    [InlineData(null, true, "2023-02-18")]
    [InlineData("", true, "2023-02-18")]
    [InlineData("  ", true, "2023-02-18")]
    [InlineData("2023-02-18", true, "2023-02-18")]
    [InlineData("2023-12-14", true, "2023-12-14")]
    [InlineData("\t2023-12-14 ", true, "2023-12-14")]
    [InlineData("2023-12-15", false, "2023-02-18")]
    [InlineData("2023-12-14,2023-02-18", false, "2023-02-18")]
    [InlineData("latest", false, "2023-02-18")]
    public void A_header_resolves_to_a_served_version_or_is_refused_with_the_default_named(string? asked, bool served, string version)
    {
        Assert.Equal(served, ApiVersions.TryResolve(asked, out var resolved));
        Assert.Equal(version, resolved);
    }

    [Fact]
    public void The_recorded_version_is_the_one_the_request_is_served_in()
    {
        var context = new DefaultHttpContext();
        Assert.Equal(ApiVersions.Default, ApiVersions.Of(context));
        Assert.True(ApiVersions.IsLegacy(context));

        ApiVersions.Set(context, ApiVersions.V20231214);

        Assert.Equal("2023-12-14", ApiVersions.Of(context));
        Assert.False(ApiVersions.IsLegacy(context));
    }
}
