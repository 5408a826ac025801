using MoneyKitBridge.Core.Queries;

namespace MoneyKitBridge.Core.Tests.Queries;

public sealed class TransactionFacetsTests
{
    [Fact]
    public void Reads_the_type_and_both_category_fields()
    {
        var facets = TransactionFacets.Read("""{"type":"credit","category":"income","enrichment":{"category":{"value":"income.salary","confidence":90}}}""");

        Assert.Equal("credit", facets.Type);
        Assert.Equal(["income", "income.salary"], facets.Categories);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"type":7,"category":null,"enrichment":"x"}""")]
    public void Json_without_the_fields_matches_no_type_or_category_filter(string json)
    {
        var facets = TransactionFacets.Read(json);

        Assert.False(facets.Matches(new HashSet<string> { "credit", "debit" }, null));
        Assert.False(facets.Matches(null, new HashSet<string> { "income" }));
        Assert.True(facets.Matches(null, null));
    }

    [Fact]
    public void Matches_any_of_the_given_values_of_each_filter_and_both_filters_together()
    {
        var facets = new TransactionFacets("debit", ["food_and_drink"]);

        Assert.True(facets.Matches(new HashSet<string> { "debit" }, new HashSet<string> { "income", "food_and_drink" }));
        Assert.False(facets.Matches(new HashSet<string> { "credit" }, new HashSet<string> { "food_and_drink" }));
        Assert.False(facets.Matches(new HashSet<string> { "debit" }, new HashSet<string> { "food" }));
    }
}
