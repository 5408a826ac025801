using MoneyKitBridge.TableStorage;

namespace MoneyKitBridge.TableStorage.Tests;

public sealed class TableAccountTests
{
    [Fact]
    public void Development_storage_points_at_the_local_emulator_account()
    {
        var account = TableAccount.Parse("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.Endpoint);
        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(64, account.AccountKey!.Length);
    }

    [Fact]
    public void Explicit_table_endpoint_wins_over_the_default_host()
    {
        var account = TableAccount.Parse(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:41234/devstoreaccount1/;");

        Assert.Equal(new Uri("http://127.0.0.1:41234/devstoreaccount1"), account.Endpoint);
        Assert.Equal("key"u8.ToArray(), account.AccountKey);
    }

    [Fact]
    public void Account_key_strings_build_the_public_cloud_endpoint()
    {
        var account = TableAccount.Parse("DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5;EndpointSuffix=core.windows.net");

        Assert.Equal(new Uri("https://contoso.table.core.windows.net"), account.Endpoint);
        Assert.Equal("contoso", account.AccountName);
    }

    [Theory]
    [InlineData("AccountName=contoso", "AccountKey")]
    [InlineData("AccountKey=a2V5", "AccountName")]
    [InlineData("AccountName=contoso;AccountKey=not base64!", "base64")]
    [InlineData("TableEndpoint=http://x;SharedAccessSignature=sv=1", "SAS")]
    [InlineData("garbage", "Name=Value")]
    public void Unusable_connection_strings_are_rejected_with_a_reason(string connectionString, string reason)
    {
        var error = Assert.Throws<FormatException>(() => TableAccount.Parse(connectionString));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Managed_identity_endpoints_must_be_https()
    {
        Assert.Equal("contoso", TableAccount.ForTokenCredential(new Uri("https://contoso.table.core.windows.net/")).AccountName);
        Assert.Throws<ArgumentException>(() => TableAccount.ForTokenCredential(new Uri("http://127.0.0.1:10002/devstoreaccount1")));
    }
}
