using Azure;
using MoneyKitBridge.Core.Storage;

namespace MoneyKitBridge.Core.Tests.Storage;

public sealed class StorageErrorsTests
{
    [Theory]
    [InlineData(400, true)]
    [InlineData(413, true)]
    [InlineData(0, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(408, false)]
    [InlineData(409, false)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void Status_InputOrOutage_AreDisjoint(int status, bool input)
    {
        var error = new RequestFailedException(status, "x");

        Assert.Equal(input, StorageErrors.IsCausedByInput(error));
        Assert.Equal(!input, StorageErrors.IsOutage(error, CancellationToken.None));
    }

    [Fact]
    public void Outage_ConnectionFailuresAndTimeouts_ButNotTheCallersCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(StorageErrors.IsOutage(new HttpRequestException("refused"), CancellationToken.None));
        Assert.True(StorageErrors.IsOutage(new TaskCanceledException("timeout"), CancellationToken.None));
        Assert.False(StorageErrors.IsOutage(new OperationCanceledException(cancelled.Token), cancelled.Token));
        Assert.False(StorageErrors.IsOutage(new ArgumentException("a bug"), CancellationToken.None));
    }
}
