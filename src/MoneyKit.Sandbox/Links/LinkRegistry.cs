using System.Collections.Concurrent;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Institutions;

namespace MoneyKit.Sandbox.Links;

/// <summary>What a new link is made of (from the control surface or a finished Connect session).</summary>
internal sealed record LinkSpec(
    string ClientId,
    string CustomerUserId,
    SandboxInstitution Institution,
    string? Username,
    IReadOnlyCollection<string> Products,
    string? Webhook,
    IReadOnlyList<string> LinkTags,
    SandboxPendingMode PendingMode,
    LinkState State)
{
    /// <summary>Products whose data is fetched at creation; the others stay empty (refreshed_at null) until their first refresh.</summary>
    public IReadOnlyCollection<string> Prefetched { get; init; } = Products;
}

/// <summary>All links of the sandbox, with their seeded random sources.</summary>
internal sealed class LinkRegistry(SandboxOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SandboxLink> links = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly Random linkIds = new(options.RandomSeed);
    private int created;

    public SandboxPendingMode DefaultPendingMode => options.PendingMode;

    public SandboxLink? Find(string linkId) => links.TryGetValue(linkId, out var link) ? link : null;

    public IEnumerable<SandboxLink> All => links.Values;

    /// <summary>
    /// Creates a link with accounts and, when transactions are prefetched (or not granted), two transactions: one posted
    /// yesterday, one pending today. Products not prefetched have no data and <c>refreshed_at</c> null until their first refresh.
    /// </summary>
    public SandboxLink Create(LinkSpec spec)
    {
        string linkId;
        int number;
        lock (gate)
        {
            number = ++created;
            linkId = SandboxIds.Next(linkIds, "mk_");
        }

        var now = time.GetUtcNow();
        var dataSeed = SandboxBankData.IsStaticUser(spec.Username)
            ? StableSeed.Derive(options.RandomSeed, "user:" + spec.Username)
            : StableSeed.Derive(options.RandomSeed, "link:" + number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var data = new Random(dataSeed);
        var ids = new Random(StableSeed.Derive(options.RandomSeed, linkId));
        var link = new SandboxLink
        {
            Id = linkId,
            Sequence = number,
            ClientId = spec.ClientId,
            CustomerUserId = spec.CustomerUserId,
            Institution = spec.Institution,
            Username = spec.Username,
            Owner = SandboxBankData.CreateOwner(data, spec.Username),
            DataRandom = data,
            IdRandom = ids,
            CreatedAt = now,
            State = spec.State,
            Webhook = spec.Webhook,
            LinkTags = spec.LinkTags,
            PendingMode = spec.PendingMode,
        };
        link.Accounts.AddRange(SandboxBankData.CreateAccounts(data, ids, spec.Username, spec.Institution.Name, now));
        foreach (var product in spec.Products)
        {
            link.Products[product] = ProductStatus.Create(spec.Prefetched.Contains(product), now);
        }

        if (!link.Products.TryGetValue(SandboxProducts.Transactions, out var transactions) || transactions.RefreshedAt is not null)
        {
            AddInitialTransactions(link, now);
        }

        links[linkId] = link;
        return link;
    }

    /// <summary>
    /// Adds a product to an existing link (a reconnect that asks for more), fetched now when prefetched.
    /// Caller holds the link's lock.
    /// </summary>
    public void AddProduct(SandboxLink link, string product, bool prefetched)
    {
        var now = time.GetUtcNow();
        link.Products[product] = ProductStatus.Create(prefetched, now);
        if (prefetched && product == SandboxProducts.Transactions && link.Transactions.Sequence == 0)
        {
            AddInitialTransactions(link, now);
        }
    }

    /// <summary>A link's first transactions: one posted yesterday, one pending today. Caller holds the link's lock (or owns the new link).</summary>
    public static void AddInitialTransactions(SandboxLink link, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        link.Transactions.Add(SandboxBankData.CreateTransaction(link.DataRandom, link.IdRandom, link.Accounts, today.AddDays(-1), pending: false));
        link.Transactions.Add(SandboxBankData.CreateTransaction(link.DataRandom, link.IdRandom, link.Accounts, today, pending: true));
    }
}
