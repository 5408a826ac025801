using Azure.Core;
using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// The bridge's tables: <c>links</c> (one partition per link: accounts, transactions, sync history),
/// <c>linkstates</c> (one small partition per link holding its state row, its webhook event rows and product refresh
/// rows, so the point read every query and webhook makes never shares a partition with thousands of transactions, and
/// a webhook's event row and effect commit in one transaction), <c>userlinks</c> (links by customer user) and
/// <c>linkindex</c> (one small row per link for the refresh planner) and <c>institutions</c> (the shared copy of
/// MoneyKit's institution list, see <see cref="InstitutionKeys"/>).
/// </summary>
public sealed class BridgeTables
{
    public BridgeTables(TableServiceClient service, string prefix)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        Prefix = prefix;
        Links = service.GetTableClient(prefix + "links");
        States = service.GetTableClient(prefix + "linkstates");
        UserLinks = service.GetTableClient(prefix + "userlinks");
        LinkIndex = service.GetTableClient(prefix + "linkindex");
        Institutions = service.GetTableClient(prefix + "institutions");
    }

    /// <summary>Tables of a storage account reached with a connection string (Azurite, account key).</summary>
    public static BridgeTables Connect(string connectionString, string prefix, TableClientOptions? options = null) =>
        new(new TableServiceClient(connectionString, options ?? CreateOptions()), prefix);

    /// <summary>Tables of a storage account reached at an https Table service URI with a token credential (managed identity).</summary>
    public static BridgeTables Connect(Uri tableServiceUri, TokenCredential credential, string prefix, TableClientOptions? options = null) =>
        new(new TableServiceClient(tableServiceUri, credential, options ?? CreateOptions()), prefix);

    /// <summary>Exponential retries (3 tries, 0.8 s base, 30 s cap), as the bridge has always used.</summary>
    public static TableClientOptions CreateOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(800);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(35);
        return options;
    }

    /// <summary>The table name prefix.</summary>
    public string Prefix { get; }

    public TableClient Links { get; }

    public TableClient States { get; }

    public TableClient UserLinks { get; }

    public TableClient LinkIndex { get; }

    public TableClient Institutions { get; }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        await Links.CreateIfNotExistsAsync(cancellationToken);
        await States.CreateIfNotExistsAsync(cancellationToken);
        await UserLinks.CreateIfNotExistsAsync(cancellationToken);
        await LinkIndex.CreateIfNotExistsAsync(cancellationToken);
        await Institutions.CreateIfNotExistsAsync(cancellationToken);
    }

    public async Task DeleteAllAsync(CancellationToken cancellationToken = default)
    {
        await Links.DeleteAsync(cancellationToken);
        await States.DeleteAsync(cancellationToken);
        await UserLinks.DeleteAsync(cancellationToken);
        await LinkIndex.DeleteAsync(cancellationToken);
        await Institutions.DeleteAsync(cancellationToken);
    }
}
