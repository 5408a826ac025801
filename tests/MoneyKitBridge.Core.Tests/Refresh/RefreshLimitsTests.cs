using MoneyKitBridge.Core.Refresh;

namespace MoneyKitBridge.Core.Tests.Refresh;

public sealed class RefreshLimitsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nothing_accepted_yet_means_no_wait()
    {
        Assert.Equal(TimeSpan.Zero, RefreshLimits.WaitBefore(RefreshLimits.Products, _ => null, Now));
    }

    [Theory]
    [InlineData("transactions", 60)]
    [InlineData("accounts", 60)]
    [InlineData("identity", 24 * 60)]
    [InlineData("account_numbers", 24 * 60)]
    public void Each_product_counts_on_its_own_interval(string product, int minutes)
    {
        var accepted = Now.AddMinutes(-10);

        Assert.Equal(TimeSpan.FromMinutes(minutes - 10), RefreshLimits.WaitBefore([product], p => p == product ? accepted : null, Now));
        Assert.Equal(TimeSpan.Zero, RefreshLimits.WaitBefore([product], _ => accepted, accepted.AddMinutes(minutes)));
        Assert.Equal(TimeSpan.Zero, RefreshLimits.WaitBefore(RefreshLimits.Products.Where(p => p != product), p => p == product ? accepted : null, Now));
    }

    [Fact]
    public void Several_products_wait_for_the_last_one_to_clear()
    {
        var wait = RefreshLimits.WaitBefore(["transactions", "identity"], p => p == "identity" ? Now.AddHours(-2) : Now.AddMinutes(-30), Now);

        Assert.Equal(TimeSpan.FromHours(22), wait);
    }

    [Fact]
    public void Investments_have_no_published_limit_and_are_never_refused_locally()
    {
        Assert.Null(RefreshLimits.IntervalOf("investments"));
        Assert.Equal(TimeSpan.Zero, RefreshLimits.WaitBefore(["investments"], _ => Now, Now));
    }
}
