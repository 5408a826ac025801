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
    LinkState State);

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

    /// <summary>Creates a link with accounts and two transactions: one posted yesterday, one pending today.</summary>
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
            link.Products[product] = new ProductStatus { RefreshedAt = now, LastAttemptedAt = now };
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        link.Transactions.Add(SandboxBankData.CreateTransaction(data, ids, link.Accounts, today.AddDays(-1), pending: false));
        link.Transactions.Add(SandboxBankData.CreateTransaction(data, ids, link.Accounts, today, pending: true));
        links[linkId] = link;
        return link;
    }
}
