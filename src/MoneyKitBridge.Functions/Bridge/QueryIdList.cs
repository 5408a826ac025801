using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Bridge;

/// <summary>
/// A repeatable id filter as MoneyKit's clients send it (<c>account_ids=a&amp;account_ids=b</c>, also <c>account_ids[]</c>
/// and comma lists): the ids, or null when absent; too long or too many values are validation errors.
/// </summary>
public static class QueryIdList
{
    public const int MaxIds = 100;
    private const int MaxValueLength = 200;

    public static IReadOnlySet<string>? Read(IQueryCollection query, string name, List<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(errors);
        var values = query[name].Concat(query[name + "[]"]).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Any(v => v is { Length: > MaxValueLength }))
        {
            errors.Add(new ValidationError(["query", name], $"{name} is too long.", "value_error.any_str.max_length"));
            return null;
        }

        var ids = values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);
        if (ids.Count > MaxIds)
        {
            errors.Add(new ValidationError(["query", name], $"At most {MaxIds} values of {name} may be given.", "value_error.list.max_items"));
            return null;
        }

        return ids.Count == 0 ? null : ids;
    }
}
