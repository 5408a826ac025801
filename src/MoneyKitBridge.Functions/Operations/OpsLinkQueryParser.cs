using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MoneyKitBridge.Core.Operations;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Operations;

/// <summary>
/// <c>GET /api/ops/links</c>'s parameters: <c>state</c> and <c>error</c> (a MoneyKit state or link error code: lower
/// case letters and underscores), <c>stale</c> (boolean), <c>page</c> (1-based) and <c>size</c> (1..100, default 25).
/// Anything else is a MoneyKit-shaped 422 naming the parameter.
/// </summary>
public static class OpsLinkQueryParser
{
    private const int MaxCodeLength = 64;
    private const int MaxPage = 100_000;
    private static readonly SearchValues<char> CodeChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz_");

    public static bool TryParse(IQueryCollection query, [NotNullWhen(true)] out LinkHealthQuery? value, [NotNullWhen(false)] out IResult? error)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<ValidationError>();
        foreach (var (key, values) in query)
        {
            if (key is "state" or "error" or "stale" or "page" or "size" && values.Count > 1)
            {
                errors.Add(Error(key, $"{key} may be given only once.", "value_error.duplicate"));
            }
        }

        var state = Code(query, "state", errors);
        var code = Code(query, "error", errors);
        bool? stale = null;
        if (query.TryGetValue("stale", out var staleText) && staleText.Count == 1)
        {
            switch (staleText.ToString().Trim().ToLowerInvariant())
            {
                case "true" or "1":
                    stale = true;
                    break;
                case "false" or "0":
                    stale = false;
                    break;
                default:
                    errors.Add(Error("stale", "stale must be true or false.", "type_error.bool"));
                    break;
            }
        }

        var page = Number(query, "page", 1, MaxPage, 1, errors);
        var size = Number(query, "size", 1, LinkHealthQuery.MaxSize, LinkHealthQuery.DefaultSize, errors);
        if (errors.Count > 0)
        {
            value = null;
            error = ApiErrorResults.Validation(errors);
            return false;
        }

        value = new LinkHealthQuery(state, code, stale, page, size);
        error = null;
        return true;
    }

    private static string? Code(IQueryCollection query, string key, List<ValidationError> errors)
    {
        if (!query.TryGetValue(key, out var values) || values.Count != 1 || values.ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        if (text.Length > MaxCodeLength || text.AsSpan().ContainsAnyExcept(CodeChars))
        {
            errors.Add(Error(key, $"{key} must be a MoneyKit code: lower case letters and underscores, at most {MaxCodeLength}.", "value_error.str.regex"));
            return null;
        }

        return text;
    }

    private static int Number(IQueryCollection query, string key, int min, int max, int fallback, List<ValidationError> errors)
    {
        if (!query.TryGetValue(key, out var values) || values.Count != 1)
        {
            return fallback;
        }

        if (int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors.Add(Error(key, $"{key} must be an integer between {min} and {max}.", "value_error.number"));
        return fallback;
    }

    private static ValidationError Error(string field, string message, string type) => new(["query", field], message, type);
}
