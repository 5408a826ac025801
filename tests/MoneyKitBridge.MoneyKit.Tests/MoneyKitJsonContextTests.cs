using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoneyKitBridge.MoneyKit.Tests;

public sealed class MoneyKitJsonContextTests
{
    private static MoneyKitTransaction ReadTransaction(string json) =>
        JsonSerializer.Deserialize(json, MoneyKitJsonContext.Default.MoneyKitTransaction)!;

    [Theory]
    [InlineData("\"384.05\"")]
    [InlineData("384.05")]
    public void Amount_IsReadFromStringOrNumber_AsAnExactDecimal(string amount)
    {
        var transaction = ReadTransaction($$"""{"transaction_id":"t1","account_id":"a1","amount":{{amount}},"date":"2023-02-16","pending":false}""");

        Assert.Equal(384.05m, transaction.Amount);
    }

    [Fact]
    public void Amount_KeepsDecimalPrecision_AndIsWrittenAsAString()
    {
        var transaction = ReadTransaction("""{"transaction_id":"t1","account_id":"a1","amount":0.10,"date":"2023-02-16","pending":false}""");

        var written = JsonNode.Parse(JsonSerializer.Serialize(transaction, MoneyKitJsonContext.Default.MoneyKitTransaction))!;

        Assert.Equal(JsonValueKind.String, written["amount"]!.GetValueKind());
        Assert.Equal("0.10", written["amount"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"12,50\"")]
    [InlineData("\"abc\"")]
    [InlineData("true")]
    public void Amount_ThatIsNotANumber_IsRejected(string amount)
    {
        Assert.Throws<JsonException>(() =>
            ReadTransaction($$"""{"transaction_id":"t1","account_id":"a1","amount":{{amount}},"date":"2023-02-16","pending":false}"""));
    }

    [Fact]
    public void BalanceAmounts_AreReadFromStringsOrNumbers()
    {
        var account = JsonSerializer.Deserialize(
            """{"account_id":"a1","balances":{"currency":"USD","available":340.12,"current":"445.89","limit":500,"balance_date":"2021-08-12T15:23:00Z"}}""",
            MoneyKitJsonContext.Default.MoneyKitAccount)!;

        Assert.Equal(340.12m, account.Balances!.Available);
        Assert.Equal(445.89m, account.Balances.Current);
        Assert.Equal(500m, account.Balances.Limit);
        Assert.Equal(new DateTimeOffset(2021, 8, 12, 15, 23, 0, TimeSpan.Zero), account.Balances.BalanceDate);
    }

    [Theory]
    [InlineData("2023-02-16")]
    [InlineData("2023-02-16T00:00:00")]
    public void Date_AcceptsADateOrTheDateTimeFormOfTheReferenceExample_AndIsWrittenAsADate(string date)
    {
        var transaction = ReadTransaction($$"""{"transaction_id":"t1","account_id":"a1","amount":"1","date":"{{date}}","pending":true}""");

        Assert.Equal(new DateOnly(2023, 2, 16), transaction.Date);
        var written = JsonNode.Parse(JsonSerializer.Serialize(transaction, MoneyKitJsonContext.Default.MoneyKitTransaction))!;
        Assert.Equal("2023-02-16", written["date"]!.GetValue<string>());
    }

    [Fact]
    public void Date_InAnotherFormat_IsRejected()
    {
        Assert.Throws<JsonException>(() =>
            ReadTransaction("""{"transaction_id":"t1","account_id":"a1","amount":"1","date":"16/02/2023","pending":true}"""));
    }

    [Fact]
    public void TimestampWithoutOffset_IsReadAsUtc()
    {
        var link = JsonSerializer.Deserialize(
            """{"link_id":"mk_1","products":{"transactions":{"refreshed_at":"2023-02-16T09:14:11","last_attempted_at":"2023-02-16T10:00:00+02:00"}}}""",
            MoneyKitJsonContext.Default.MoneyKitLink)!;

        Assert.Equal(new DateTimeOffset(2023, 2, 16, 9, 14, 11, TimeSpan.Zero), link.Products!.Transactions!.RefreshedAt);
        Assert.Equal(new DateTimeOffset(2023, 2, 16, 8, 0, 0, TimeSpan.Zero), link.Products.Transactions.LastAttemptedAt);
    }

    [Fact]
    public void UnknownEnumValues_AreKeptAsSent()
    {
        var sync = JsonSerializer.Deserialize(
            """
            {"transactions":{"created":[{"transaction_id":"t1","account_id":"a1","amount":"5","type":"reversal","date":"2024-01-02","pending":false}],"updated":[],"removed":[]},
             "accounts":[{"account_id":"a1","account_type":"crypto.wallet","name":"Wallet"}],
             "cursor":{"next":"c2"},"has_more":false,
             "link":{"link_id":"mk_1","state":"reauthorizing","error_code":"brand_new_error","products":{"transactions":{"error_code":"quota_exhausted"}}}}
            """,
            MoneyKitJsonContext.Default.MoneyKitTransactionSyncResponse)!;

        Assert.Equal("reversal", sync.Transactions.Created[0].Type);
        Assert.Equal("crypto.wallet", sync.Accounts![0].AccountType);
        Assert.Equal("reauthorizing", sync.Link!.State);
        Assert.Equal("brand_new_error", sync.Link.ErrorCode);
        Assert.Equal("quota_exhausted", sync.Link.Products!.Transactions!.ErrorCode);
    }

    [Fact]
    public void UnknownFields_SurviveARoundTrip_AtEveryLevel()
    {
        const string json = """
            {
              "transactions": {
                "created": [{
                  "transaction_id": "t1", "account_id": "a1", "amount": "384.05", "type": "debit", "currency": "USD",
                  "date": "2023-02-16", "datetime": "2023-02-16T09:14:11", "description": "Regina's Mulberry",
                  "raw_description": "Regina's Mulberry #1402", "pending": true, "category": "food_and_drinks.restaurants",
                  "enrichment": {
                    "category": {"value": "food_and_drink", "confidence": 99, "source": "model-7"},
                    "subcategory": {"value": "coffee", "confidence": 98.5},
                    "merchant": {"id": "m1", "name": "Starbucks", "logo": "https://example.com/s.png", "confidence": 99, "website": "starbucks.com"},
                    "processor": null,
                    "recurrence": {"frequency": "monthly", "next_predicted_date": "2024-08-03"},
                    "counterparty": {"name": "Someone"}
                  },
                  "original_id": null,
                  "merchant_name": "Starbucks",
                  "location": {"city": "Seattle", "tags": [1, 2, 3]}
                }],
                "updated": [],
                "removed": ["t0"],
                "cursor_generation": 4
              },
              "accounts": [{
                "account_id": "a1", "account_type": "depository.checking", "name": "Premier Checking", "account_mask": "3748",
                "balances": {"currency": "USD", "available": 340.12, "current": 445.89, "limit": null, "balance_date": "2021-08-12T15:23:00Z", "pending_total": 12},
                "original_id": null, "closed": false, "nickname": "Bills"
              }],
              "cursor": {"next": "c2", "expires_at": "2030-01-01"},
              "has_more": true,
              "link": {
                "link_id": "mk_1", "institution_id": "chase", "institution_name": "Chase", "institution_avatar": "https://example.com/a.png",
                "state": "connected", "error_code": null, "last_synced_at": "2023-02-16T09:14:11Z", "provider": "moneykit",
                "link_tags": ["smoke_test"], "webhook": "https://example.com/webhook",
                "products": {
                  "transactions": {"refreshed_at": "2023-02-16T09:14:11Z", "last_attempted_at": "2023-02-16T09:14:11Z", "error_code": null, "error_message": null, "unavailable": null, "settings": {"required": true}},
                  "budgets": {"refreshed_at": null}
                },
                "available_products": ["account_numbers"],
                "customer_user": {"id": "u1"}
              },
              "server_version": "2023-02-18"
            }
            """;

        var parsed = JsonSerializer.Deserialize(json, MoneyKitJsonContext.Default.MoneyKitTransactionSyncResponse)!;
        var written = JsonSerializer.Serialize(parsed, MoneyKitJsonContext.Default.MoneyKitTransactionSyncResponse);

        Assert.Equal("Starbucks", parsed.Transactions.Created[0].Extra!["merchant_name"].GetString());
        Assert.Equal("Starbucks", parsed.Transactions.Created[0].Enrichment!.Merchant!.Name);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)),
            $"Round-trip changed the JSON:\n{written}");
    }
}
