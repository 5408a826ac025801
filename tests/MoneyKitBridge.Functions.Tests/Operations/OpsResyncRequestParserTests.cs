using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using MoneyKitBridge.Functions.Errors;
using MoneyKitBridge.Functions.Operations;

namespace MoneyKitBridge.Functions.Tests.Operations;

public sealed class OpsResyncRequestParserTests
{
    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData(" { } ")]
    public void No_body_or_an_empty_object_is_accepted(string body)
    {
        Assert.True(OpsResyncRequestParser.TryParse(Encoding.UTF8.GetBytes(body), out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("{\"generation\":2}", 422, ApiErrorCodes.ValidationFailed)]
    [InlineData("{\"a\":1,\"a\":2}", 422, ApiErrorCodes.ValidationFailed)]
    [InlineData("[]", 400, ApiErrorCodes.BadRequest)]
    [InlineData("null", 400, ApiErrorCodes.BadRequest)]
    [InlineData("{", 400, ApiErrorCodes.BadRequest)]
    public void Anything_else_is_a_MoneyKit_shaped_4xx(string body, int status, string code)
    {
        Assert.False(OpsResyncRequestParser.TryParse(Encoding.UTF8.GetBytes(body), out var error));
        var result = Assert.IsType<JsonHttpResult<ApiError>>(error);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(code, result.Value!.ErrorCode);
    }
}
