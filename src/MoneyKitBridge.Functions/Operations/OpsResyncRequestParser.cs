using System.Diagnostics.CodeAnalysis;
using MoneyKitBridge.Functions.Bridge;
using MoneyKitBridge.Functions.Errors;

namespace MoneyKitBridge.Functions.Operations;

/// <summary>
/// <c>POST /api/ops/links/{link_id}/resync</c> takes no parameters: the body is empty or an empty JSON object (what an
/// SDK sends for "no body"). Malformed JSON is <see cref="RequestBody"/>'s 400/422; any member is a MoneyKit-shaped
/// 422 naming it.
/// </summary>
public static class OpsResyncRequestParser
{
    public static bool TryParse(ReadOnlySpan<byte> body, [NotNullWhen(false)] out IResult? error)
    {
        if (body.IsEmpty)
        {
            error = null;
            return true;
        }

        if (!RequestBody.TryParseObject(body, out var value, out error))
        {
            return false;
        }

        if (value.Count > 0)
        {
            error = ApiErrorResults.Validation([.. value.Select(p => new ValidationError(["body", p.Key], $"{p.Key} is not a parameter of a resync; send no body.", "value_error.extra"))]);
            return false;
        }

        return true;
    }
}
