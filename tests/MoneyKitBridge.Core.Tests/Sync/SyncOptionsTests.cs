using System.ComponentModel.DataAnnotations;
using MoneyKitBridge.Core.Sync;

namespace MoneyKitBridge.Core.Tests.Sync;

public sealed class SyncOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_keep_tombstones_30_days()
    {
        var options = new SyncOptions();

        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        Assert.Equal(TimeSpan.FromDays(30), options.TombstoneRetention);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(24 * 400.0, 1.0)]
    [InlineData(24.0, 0.0)]
    [InlineData(24.0, 24 * 8.0)]
    public void Tombstone_retention_and_purge_interval_out_of_range_are_refused(double retentionHours, double intervalHours)
    {
        var options = new SyncOptions { TombstoneRetention = TimeSpan.FromHours(retentionHours), TombstonePurgeInterval = TimeSpan.FromHours(intervalHours) };

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }
}
