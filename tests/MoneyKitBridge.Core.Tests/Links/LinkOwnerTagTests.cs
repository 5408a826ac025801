using MoneyKitBridge.Core.Links;
using MoneyKitBridge.MoneyKit;

namespace MoneyKitBridge.Core.Tests.Links;

public sealed class LinkOwnerTagTests
{
    [Fact]
    public void Find_reads_the_customer_user_from_link_tags_or_tags_and_null_when_the_bridge_did_not_tag_it()
    {
        Assert.Equal("user-1", LinkOwnerTag.Find(new MoneyKitLink { LinkId = "mk_1", LinkTags = ["app", "bridge_user:user-1"] }));
        Assert.Equal("u:2", LinkOwnerTag.Find(new MoneyKitLink { LinkId = "mk_2", Tags = ["bridge_user:u:2"] }));
        Assert.Null(LinkOwnerTag.Find(new MoneyKitLink { LinkId = "mk_3", LinkTags = ["app"] }));
        Assert.Null(LinkOwnerTag.Find(new MoneyKitLink { LinkId = "mk_4", LinkTags = ["bridge_user:"] }));
        Assert.Null(LinkOwnerTag.Find(new MoneyKitLink { LinkId = "mk_5" }));
    }
}
