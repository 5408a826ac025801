using System.Globalization;
using System.Text;

namespace MoneyKitBridge.Simulation.Storage;

/// <summary>
/// The part of Table Storage's OData <c>$filter</c> language the bridge's queries use: comparisons
/// (<c>eq ne gt ge lt le</c>) of a property with a literal (string, <c>datetime'…'</c>, <c>guid'…'</c>, numbers with an
/// optional <c>L</c>, <c>true</c>/<c>false</c>), <c>and</c>, <c>or</c>, <c>not</c> and parentheses. As in the service, a
/// comparison with a property the entity lacks (or of another type) is false. Compiled once per query text.
/// </summary>
internal sealed class ODataFilter
{
    private readonly List<string> tokens;
    private int position;

    private ODataFilter(string text)
    {
        tokens = Tokenize(text);
    }

    /// <summary>The partition every match lies in (a top-level <c>PartitionKey eq '…'</c> conjunct), or null.</summary>
    public string? Partition { get; private set; }

    public Func<StoredEntity, bool> Predicate { get; private set; } = _ => true;

    public static ODataFilter Parse(string? text)
    {
        var filter = new ODataFilter(text ?? string.Empty);
        if (filter.tokens.Count > 0)
        {
            filter.Predicate = filter.ParseOr(topLevel: true);
            if (filter.position != filter.tokens.Count)
            {
                throw new FormatException($"Unexpected '{filter.tokens[filter.position]}' in filter '{text}'.");
            }
        }

        return filter;
    }

    private Func<StoredEntity, bool> ParseOr(bool topLevel)
    {
        var left = ParseAnd(topLevel);
        while (Peek("or"))
        {
            position++;
            Partition = null;
            var first = left;
            var right = ParseAnd(topLevel: false);
            left = e => first(e) || right(e);
        }

        return left;
    }

    private Func<StoredEntity, bool> ParseAnd(bool topLevel)
    {
        var left = ParseUnary(topLevel);
        while (Peek("and"))
        {
            position++;
            var first = left;
            var right = ParseUnary(topLevel);
            left = e => first(e) && right(e);
        }

        return left;
    }

    private Func<StoredEntity, bool> ParseUnary(bool topLevel)
    {
        if (Peek("not"))
        {
            position++;
            var inner = ParseUnary(topLevel: false);
            return e => !inner(e);
        }

        if (Peek("("))
        {
            position++;
            var inner = ParseOr(topLevel);
            Expect(")");
            return inner;
        }

        var property = Next();
        var op = Next();
        var literal = ParseLiteral(Next());
        if (topLevel && property == "PartitionKey" && op == "eq" && literal is string partition)
        {
            Partition = partition;
        }

        return Compare(property, op, literal);
    }

    private static Func<StoredEntity, bool> Compare(string property, string op, object literal)
    {
        Func<int, bool> test = op switch
        {
            "eq" => c => c == 0,
            "ne" => c => c != 0,
            "gt" => c => c > 0,
            "ge" => c => c >= 0,
            "lt" => c => c < 0,
            "le" => c => c <= 0,
            _ => throw new FormatException($"Unknown operator '{op}'."),
        };
        return e => e.TryGet(property, out var value) && CompareValues(value, literal) is { } c && test(c);
    }

    private static int? CompareValues(object value, object literal) => (value, literal) switch
    {
        (string a, string b) => string.CompareOrdinal(a, b),
        (DateTimeOffset a, DateTimeOffset b) => a.UtcTicks.CompareTo(b.UtcTicks),
        (bool a, bool b) => a.CompareTo(b),
        (Guid a, Guid b) => a.CompareTo(b),
        (int a, long b) => ((long)a).CompareTo(b),
        (long a, long b) => a.CompareTo(b),
        (double a, long b) => a.CompareTo(b),
        (int a, double b) => ((double)a).CompareTo(b),
        (long a, double b) => ((double)a).CompareTo(b),
        (double a, double b) => a.CompareTo(b),
        _ => null,
    };

    private static object ParseLiteral(string token)
    {
        if (token.StartsWith('\''))
        {
            return token[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (token.StartsWith("datetime'", StringComparison.Ordinal))
        {
            return DateTimeOffset.Parse(token[9..^1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        }

        if (token.StartsWith("guid'", StringComparison.Ordinal))
        {
            return Guid.Parse(token[5..^1]);
        }

        return token switch
        {
            "true" => true,
            "false" => false,
            _ when token.EndsWith('L') => long.Parse(token[..^1], CultureInfo.InvariantCulture),
            _ when token.Contains('.', StringComparison.Ordinal) => double.Parse(token, CultureInfo.InvariantCulture),
            _ => (long)int.Parse(token, CultureInfo.InvariantCulture),
        };
    }

    private bool Peek(string token) => position < tokens.Count && tokens[position] == token;

    private string Next() => position < tokens.Count ? tokens[position++] : throw new FormatException("The filter ends early.");

    private void Expect(string token)
    {
        if (Next() != token)
        {
            throw new FormatException($"Expected '{token}'.");
        }
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                var token = new StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')'))
                {
                    if (text[i] == '\'')
                    {
                        // A quoted part (its '' stays doubled until the literal is parsed).
                        token.Append('\'');
                        i++;
                        while (i < text.Length && !(text[i] == '\'' && (i + 1 >= text.Length || text[i + 1] != '\'')))
                        {
                            if (text[i] == '\'')
                            {
                                token.Append('\'');
                                i++;
                            }

                            token.Append(text[i]);
                            i++;
                        }

                        token.Append('\'');
                        i++;
                    }
                    else
                    {
                        token.Append(text[i]);
                        i++;
                    }
                }

                tokens.Add(token.ToString());
            }
        }

        return tokens;
    }
}
