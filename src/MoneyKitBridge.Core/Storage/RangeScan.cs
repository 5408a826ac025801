using Azure.Data.Tables;

namespace MoneyKitBridge.Core.Storage;

/// <summary>
/// Reads the rows of one partition whose row keys start with a prefix, as a few key ranges read at once. The pages of
/// one query come strictly one after another (each request needs the continuation the previous response carries), so
/// a single scan leaves the service idle while the client parses a page and the client idle while the service prepares
/// the next one. Where the rest of the range can be split is learned from its first page: the keys of a page share a
/// prefix up to some position, and the characters found one position further show the alphabet of that position (the
/// random part of the ids: hex for MoneyKit's UUIDs, base62 for the sandbox's). The rest of the range is cut at that
/// alphabet's middle. The cut only balances the work: the ranges are contiguous and cover the whole rest, so every row
/// is read exactly once whatever the ids look like.
/// </summary>
public static class RangeScan
{
    /// <summary>Ranges read at once after the first page (two keep both the service and the client busy).</summary>
    public const int Parts = 2;

    /// <summary>Every row of <paramref name="partition"/> whose row key starts with <paramref name="prefix"/>, mapped.</summary>
    public static async Task<List<T>> ReadAsync<T>(
        TableClient table,
        string partition,
        string prefix,
        IReadOnlyList<string> select,
        Func<TableEntity, T> map,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var upper = TableKeys.PrefixUpperBound(prefix);
        var rows = new List<T>();
        await using var pages = table.QueryAsync<TableEntity>(TableKeys.RangeFilter(partition, prefix, lowerInclusive: true, upper), select: select, cancellationToken: cancellationToken)
            .AsPages()
            .GetAsyncEnumerator(cancellationToken);
        if (!await pages.MoveNextAsync())
        {
            return rows;
        }

        var first = pages.Current;
        rows.AddRange(first.Values.Select(map));
        if (first.ContinuationToken is null || first.Values.Count == 0)
        {
            return rows;
        }

        var last = first.Values[^1].RowKey;
        var bounds = Split(first.Values.Select(r => r.RowKey).ToList(), upper, Parts);
        if (bounds.Count == 0)
        {
            while (await pages.MoveNextAsync())
            {
                rows.AddRange(pages.Current.Values.Select(map));
            }

            return rows;
        }

        var ranges = new List<string>(bounds.Count + 1)
        {
            TableKeys.RangeFilter(partition, last, lowerInclusive: false, bounds[0]),
        };
        for (var i = 0; i < bounds.Count; i++)
        {
            ranges.Add(TableKeys.RangeFilter(partition, bounds[i], lowerInclusive: true, i + 1 < bounds.Count ? bounds[i + 1] : upper));
        }

        var parts = await Task.WhenAll(ranges.Select(filter => ReadRangeAsync(table, filter, select, map, cancellationToken)));
        foreach (var part in parts)
        {
            rows.AddRange(part);
        }

        return rows;
    }

    /// <summary>
    /// Up to <paramref name="parts"/> − 1 increasing keys that cut the keys after the last of <paramref name="firstPage"/>
    /// (sorted, ordinal) and before <paramref name="upperExclusive"/> into parts of about equal size, assuming the
    /// characters past the page's common prefix are spread evenly over the alphabet the page shows. Empty when the page
    /// shows no such alphabet (then the rest is read as one range).
    /// </summary>
    internal static IReadOnlyList<string> Split(IReadOnlyList<string> firstPage, string upperExclusive, int parts)
    {
        if (firstPage.Count < 2 || parts < 2)
        {
            return [];
        }

        var first = firstPage[0];
        var last = firstPage[^1];
        var position = first.AsSpan().CommonPrefixLength(last);
        if (position >= last.Length)
        {
            return [];
        }

        var alphabet = new SortedSet<char>();
        foreach (var key in firstPage)
        {
            if (key.Length > position + 1 && key.AsSpan(0, position).SequenceEqual(last.AsSpan(0, position)))
            {
                alphabet.Add(key[position]);
                alphabet.Add(key[position + 1]);
            }
        }

        var above = alphabet.Where(c => c > last[position]).ToList();
        var bounds = new List<string>(parts - 1);
        for (var i = 1; i < parts && above.Count > 0; i++)
        {
            // The rest is the unread part of last[position]'s group (about half a group) and one group per character above.
            var index = Math.Clamp((int)Math.Round((i * (above.Count + 0.5) / parts) - 0.5, MidpointRounding.AwayFromZero), 0, above.Count - 1);
            var bound = string.Concat(last.AsSpan(0, position), [above[index]]);
            if ((bounds.Count == 0 || string.CompareOrdinal(bound, bounds[^1]) > 0) && string.CompareOrdinal(bound, upperExclusive) < 0)
            {
                bounds.Add(bound);
            }
        }

        return bounds;
    }

    private static async Task<List<T>> ReadRangeAsync<T>(TableClient table, string filter, IReadOnlyList<string> select, Func<TableEntity, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken))
        {
            rows.Add(map(row));
        }

        return rows;
    }
}
