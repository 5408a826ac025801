using System.Collections.Concurrent;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Transactions;
using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox.Products;

/// <summary>
/// Product refreshes: limits (a count per link and MoneyKit's per-product interval), the in_progress → completed
/// lifecycle with its webhooks, and the data a refresh produces (new balances; new transactions and resolved pending ones;
/// for a product that was not prefetched, its first data).
/// </summary>
internal sealed class ProductRefresher(SandboxOptions options, TimeProvider time, LinkWebhooks webhooks)
{
    private readonly ConcurrentDictionary<ITimer, byte> running = new();

    /// <summary>Validates and starts a refresh. Caller holds the link's lock.</summary>
    public ErrorResult? Start(SandboxLink link, IReadOnlyList<string> products)
    {
        if (link.State == LinkState.Deleted)
        {
            return ErrorResult.LinkDeleted();
        }

        if (products.Count == 0)
        {
            return ErrorResult.Validation("products", "At least one product is required.");
        }

        if (products.FirstOrDefault(p => !SandboxProducts.IsKnown(p)) is { } unknown)
        {
            return ErrorResult.Validation("products", $"Unknown product '{unknown}'.");
        }

        if (products.FirstOrDefault(p => !link.Grants(p)) is { } notGranted)
        {
            return ErrorResult.Forbidden($"Product '{notGranted}' was not granted for this link.");
        }

        if (link.State != LinkState.Connected)
        {
            return ErrorResult.BadState(link.State.ToWire(), link.ErrorCode);
        }

        if (link.RefreshCount >= options.MaxRefreshesPerLink)
        {
            return ErrorResult.RateLimited(TimeSpan.FromDays(1));
        }

        var now = time.GetUtcNow();
        var wait = products
            .Select(p => link.Products[p].LastRequestedAt is { } last ? last + SandboxProducts.MinimumInterval(p, options.ProductRefreshInterval) - now : TimeSpan.Zero)
            .Max();
        if (wait > TimeSpan.Zero)
        {
            return ErrorResult.RateLimited(wait);
        }

        link.RefreshCount++;
        var distinct = products.Distinct(StringComparer.Ordinal).ToList();
        foreach (var product in distinct)
        {
            var status = link.Products[product];
            status.LastRequestedAt = now;
            status.LastAttemptedAt = now;
            status.Refreshing = true;
            webhooks.SendProductRefresh(link, product, "in_progress");
        }

        if (options.RefreshDuration == TimeSpan.Zero)
        {
            Complete(link, distinct);
            return null;
        }

        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                lock (link.Gate)
                {
                    Complete(link, distinct);
                }

                if (timer is not null && running.TryRemove(timer, out var _))
                {
                    timer.Dispose();
                }
            },
            null,
            options.RefreshDuration,
            Timeout.InfiniteTimeSpan);
        running[timer] = 0;
        return null;
    }

    /// <summary>Applies a transactions refresh: settles earlier pending transactions per the link's mode, then adds new ones (one pending).</summary>
    public static void RefreshTransactions(SandboxLink link, DateTimeOffset now)
    {
        var ledger = link.Transactions;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        foreach (var pending in ledger.Live.Where(t => t.Pending).ToList())
        {
            if (link.PendingMode == SandboxPendingMode.ResolveAsUpdate)
            {
                ledger.Update(pending, t => t.Pending = false);
            }
            else
            {
                ledger.Remove(pending, dropped: true);
                ledger.Add(new SandboxTransaction
                {
                    Id = SandboxIds.Next(link.IdRandom, "txn_"),
                    AccountId = pending.AccountId,
                    Amount = pending.Amount,
                    IsCredit = pending.IsCredit,
                    Date = pending.Date,
                    Time = pending.Time,
                    Description = pending.Description,
                    RawDescription = pending.RawDescription,
                    Category = pending.Category,
                    Subcategory = pending.Subcategory,
                    MerchantId = pending.MerchantId,
                    Pending = false,
                });
            }
        }

        var posted = 1 + link.DataRandom.Next(3);
        for (var i = 0; i < posted; i++)
        {
            ledger.Add(SandboxBankData.CreateTransaction(link.DataRandom, link.IdRandom, link.Accounts, today.AddDays(-link.DataRandom.Next(2)), pending: false));
        }

        ledger.Add(SandboxBankData.CreateTransaction(link.DataRandom, link.IdRandom, link.Accounts, today, pending: true));
    }

    private void Complete(SandboxLink link, IReadOnlyList<string> products)
    {
        var now = time.GetUtcNow();
        foreach (var product in products)
        {
            var status = link.Products[product];
            status.Refreshing = false;
            if (link.State != LinkState.Connected)
            {
                status.ErrorCode = link.State == LinkState.Error && link.ErrorCode == "auth_expired" ? "auth_expired" : "unknown";
                status.ErrorMessage = "The link is not connected.";
                webhooks.SendProductRefresh(link, product, "failed", status.ErrorMessage);
                continue;
            }

            var firstFetch = !status.Fetched;
            switch (product)
            {
                case SandboxProducts.Transactions when firstFetch:
                    // Not prefetched: this refresh brings the link's history.
                    LinkRegistry.AddInitialTransactions(link, now);
                    break;
                case SandboxProducts.Transactions:
                    RefreshTransactions(link, now);
                    break;
                case SandboxProducts.Accounts:
                    SandboxBankData.RefreshBalances(link.DataRandom, link.Accounts, now);
                    break;
                default:
                    break;
            }

            status.RefreshedAt = now;
            status.ErrorCode = null;
            status.ErrorMessage = null;
            webhooks.SendProductRefresh(link, product, "completed");
            if (product == SandboxProducts.Transactions)
            {
                webhooks.SendUpdatesAvailable(link, hasHistory: firstFetch);
            }
        }
    }
}
