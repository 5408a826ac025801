using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using MoneyKitBridge.Core.Institutions;
using MoneyKitBridge.Core.Storage;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Institutions;

/// <summary>
/// <c>GET /institutions</c>'s parameters as MoneyKit's clients send them: <c>name</c> (institutions whose name contains
/// it, ignoring case), <c>featured</c> (true: featured only; default false), <c>cursor</c> (the previous page's
/// <c>cursors.next</c>) and <c>limit</c> (1..100, default 50). Pages run in institution id order; the cursor is opaque.
/// </summary>
public sealed record InstitutionQuery(string? Name, bool Featured, string? After, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    private const int MaxValueLength = 200;

    public static bool TryParse(IQueryCollection query, [NotNullWhen(true)] out InstitutionQuery? value, [NotNullWhen(false)] out IResult? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<ValidationError>();
        foreach (var (key, values) in query)
        {
            if (key is not ("name" or "featured" or "cursor" or "limit"))
            {
                continue; // MoneyKit ignores parameters it does not know.
            }

            if (values.Count > 1)
            {
                errors.Add(Error(key, $"{key} may be given only once.", "value_error.duplicate"));
            }
            else if (values.ToString().Length > MaxValueLength)
            {
                errors.Add(Error(key, $"{key} is too long.", "value_error.any_str.max_length"));
            }
        }

        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            errors.Add(Error("limit", $"limit must be an integer between 1 and {MaxLimit}.", "value_error.number"));
        }

        var featured = false;
        if (query.TryGetValue("featured", out var featuredText) && !TryBoolean(featuredText.ToString(), out featured))
        {
            errors.Add(Error("featured", "featured must be a boolean.", "type_error.bool"));
        }

        string? after = null;
        if (query.TryGetValue("cursor", out var cursorText) && cursorText.ToString() is { Length: > 0 } cursor && !TryDecodeCursor(cursor, out after))
        {
            errors.Add(Error("cursor", "cursor is not a cursor this server issued.", "value_error"));
        }

        if (errors.Count > 0)
        {
            value = null;
            error = ApiErrorResults.Validation(errors);
            return false;
        }

        var name = query.TryGetValue("name", out var nameText) && nameText.ToString().Trim() is { Length: > 0 } trimmed ? trimmed : null;
        value = new InstitutionQuery(name, featured, after, limit);
        error = null;
        return true;
    }

    /// <summary>This query's page of <paramref name="list"/> and the cursor of the next page (null on the last).</summary>
    public (IReadOnlyList<InstitutionRow> Page, string? Next) Apply(InstitutionList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var matching = list.Institutions.Where(i =>
            (!Featured || i.IsFeatured)
            && (Name is null || i.Name.Contains(Name, StringComparison.OrdinalIgnoreCase))
            && (After is null || string.CompareOrdinal(i.InstitutionId, After) > 0));
        var page = matching.Take(Limit + 1).ToList();
        if (page.Count <= Limit)
        {
            return (page, null);
        }

        page.RemoveAt(Limit);
        return (page, EncodeCursor(page[^1].InstitutionId));
    }

    private static string EncodeCursor(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("i:" + lastId));

    private static bool TryDecodeCursor(string cursor, [NotNullWhen(true)] out string? after)
    {
        after = null;
        try
        {
            var text = new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(cursor));
            if (text.StartsWith("i:", StringComparison.Ordinal) && text.Length > 2)
            {
                after = text[2..];
                return true;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
        }

        return false;
    }

    /// <summary>The boolean spellings MoneyKit's (pydantic) parser accepts.</summary>
    private static bool TryBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on" or "t" or "y":
                value = true;
                return true;
            case "false" or "0" or "no" or "off" or "f" or "n":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static ValidationError Error(string field, string message, string type) => new(["query", field], message, type);
}
