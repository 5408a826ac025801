using System.Text.Json;

namespace MoneyKitBridge.Testing.Contract;

/// <summary>
/// MoneyKit's published response models, per <c>MoneyKit-Version</c>, as <see cref="Shape"/>s. Facts are taken from
/// the OpenAPI-generated Ruby client <c>moneykit/moneykit-ruby</c>, <c>lib/moneykit/models/*.rb</c> (required = the
/// model's "cannot be nil" checks, nullable = its <c>openapi_nullable</c>, enums = its enum classes); each shape names
/// its file. Where the Ruby models say nothing, the MoneyKit documents in the shared seeds do (noted as "seed").
/// </summary>
public static class MoneyKitModels
{
    public const string V20230218 = "2023-02-18";
    public const string V20231214 = "2023-12-14";

    public static IReadOnlyList<string> Versions { get; } = [V20230218, V20231214];

    private static readonly ScalarShape Boolean = new(JsonValueKind.True);
    private static readonly ScalarShape Number = new(JsonValueKind.Number);
    private static readonly StringShape Text = new();
    private static readonly StringShape DateTime = new(Format: Format.DateTime);
    private static readonly StringShape Decimal = new(Format: Format.DecimalNumber);

    // account_type.rb
    public static readonly StringShape AccountType = new([
        "depository.cash", "depository.checking", "depository.savings", "depository.prepaid", "depository.other",
        "credit_card", "loan.general", "loan.mortgage", "loan.other", "investment", "other"]);

    // product.rb (LinkCommon.available_products is Array<Product>; values per the shared reference §1.5)
    private static readonly string[] Products = ["accounts", "account_numbers", "identity", "transactions", "investments", "enrichment"];

    // public_link_state.rb, public_link_error.rb, provider.rb, link_product_error.rb (values as listed in the shared reference §1.5)
    private static readonly StringShape LinkState = new(["connecting", "awaiting_token_exchange", "connected", "deleted", "error"]);
    private static readonly StringShape LinkError = new([
        "system_error", "provider_error", "institution_error", "user_error", "auth_expired", "no_accounts", "user_setup_required",
        "invalid_credentials", "user_oauth_denied", "user_input_incorrect", "incomplete"]);
    private static readonly StringShape Provider = new(["moneykit", "finicity", "plaid", "yodlee", "mx", "akoya", "sophtron"]);
    private static readonly StringShape ProductError = new(["rate_limit", "auth_expired", "not_supported", "timeout", "unknown", "no_accounts", "institution_error", "no_permission"]);

    private static Field Opt(string name, Shape shape) => new(name, shape, Required: false, Nullable: true);

    // access_token_api.rb → generate_access_token_response.rb
    public static readonly ObjectShape Token = new("GenerateAccessTokenResponse", [
        new("access_token", Text), new("token_type", new StringShape(["bearer"])), new("expires_in", Number)]);

    // account_balances.rb (+ seed example: balance_date a date-time)
    private static readonly ObjectShape Balances = new("AccountBalances", [
        new("currency", Text), Opt("available", Decimal), Opt("current", Decimal), Opt("limit", Decimal), Opt("balance_date", DateTime)]);

    private static Field[] AccountFields => [
        new("account_id", Text), new("account_type", AccountType), new("name", Text), Opt("account_mask", Text), new("balances", Balances),
        Opt("raw_provider_data", new AnyShape()), Opt("original_id", Text), new("closed", Boolean, Required: false)];

    // account_response.rb (fields as in account_with_account_numbers_legacy20230218.rb / account_identity.rb)
    public static readonly ObjectShape Account = new("AccountResponse", AccountFields);

    // accounts_link_product.rb and its siblings, fields as in the seed's link.products example: all optional, nullable
    private static readonly ObjectShape LinkProduct = new("LinkProduct", [
        Opt("refreshed_at", DateTime), Opt("last_attempted_at", DateTime), Opt("error_code", ProductError), Opt("error_message", Text), Opt("unavailable", Text)]);

    // link_common.rb (the seed's link also carries link_tags; LinkCommon's tags is optional)
    public static readonly ObjectShape Link = new("LinkCommon", [
        new("link_id", Text), new("institution_id", Text), new("institution_name", Text), new("institution_avatar", Text),
        new("state", LinkState), Opt("error_code", LinkError), Opt("last_synced_at", DateTime), new("provider", Provider),
        Opt("webhook", Text), new("products", new MapShape(LinkProduct, Products)), new("available_products", new ArrayShape(new StringShape(Products)))]);

    // country.rb (US, GB, CA, ... ; the sandbox banks are US), institution.rb
    public static readonly ObjectShape Institution = new("Institution", [
        new("institution_id", Text), new("institution_id_aliases", new ArrayShape(Text)), new("name", Text), new("country", new StringShape(["US", "GB", "CA"])),
        Opt("domain", Text), new("color", Text), Opt("color_dark", Text), new("is_featured", Boolean)]);

    // cursor_pagination.rb
    private static readonly ObjectShape CursorPagination = new("CursorPagination", [Opt("next", Text)]);

    // get_institutions_response.rb
    public static readonly ObjectShape Institutions = new("GetInstitutionsResponse", [
        new("institutions", new ArrayShape(Institution)), new("cursors", CursorPagination)]);

    // introspect_client_response.rb, customer_app.rb
    public static readonly ObjectShape Introspect = new("IntrospectClientResponse", [
        new("client_id", Text), new("client_name", Text), new("scope", Text),
        new("app", new ObjectShape("CustomerApp", [new("id", Text), new("app_name", Text)])), Opt("disabled_at", DateTime)]);

    // create_link_session_response.rb
    public static readonly ObjectShape LinkSession = new("CreateLinkSessionResponse", [new("link_session_token", Text)]);

    // exchange_token_response.rb (link_id is deprecated but still sent)
    public static readonly ObjectShape ExchangeToken = new("ExchangeTokenResponse", [new("link_id", Text, Required: false), new("link", Link)]);

    // get_user_links_response.rb: links by link id
    public static readonly ObjectShape UserLinks = new("GetUserLinksResponse", [new("links", new MapShape(Link))]);

    // get_accounts_response.rb, get_account_response.rb
    public static readonly ObjectShape Accounts = new("GetAccountsResponse", [new("accounts", new ArrayShape(Account)), new("link", Link)]);
    public static readonly ObjectShape OneAccount = new("GetAccountResponse", [new("account", Account), new("link", Link)]);

    private static ObjectShape NumberLists(string model, ObjectShape ach) => new(model, [
        new("ach", new ArrayShape(ach)), new("bacs", new ArrayShape(new AnyShape())), new("eft", new ArrayShape(new AnyShape())), new("international", new ArrayShape(new AnyShape()))]);

    // ach_number.rb (wire_routing_number nullable); 2023-12-14's top-level numbers name their account
    private static Field[] AchFields => [new("account_number", Text), new("routing_number", Text), Opt("wire_routing_number", Text)];

    // get_account_numbers_response_legacy20230218.rb, account_with_account_numbers_legacy20230218.rb, account_numbers_legacy20230218.rb
    public static readonly ObjectShape AccountNumbersLegacy = new("GetAccountNumbersResponseLegacy20230218", [
        new("accounts", new ArrayShape(new ObjectShape("AccountWithAccountNumbersLegacy20230218", [
            .. AccountFields, new("numbers", NumberLists("AccountNumbersLegacy20230218", new ObjectShape("AchNumber", AchFields)))]))),
        new("link", Link)]);

    // get_account_numbers_response.rb, account_numbers.rb
    public static readonly ObjectShape AccountNumbers = new("GetAccountNumbersResponse", [
        new("accounts", new ArrayShape(Account)),
        new("numbers", NumberLists("AccountNumbers", new ObjectShape("AchNumber", [new("account_id", Text), .. AchFields]))),
        new("link", Link)]);

    // owner.rb, address.rb (nothing required), phone_number.rb + phone_number_type.rb, email.rb
    private static readonly ObjectShape Owner = new("Owner", [
        new("names", new ArrayShape(Text)),
        new("addresses", new ArrayShape(new ObjectShape("Address", [
            Opt("city", Text), Opt("country", Text), Opt("postal_code", Text), Opt("region", Text), Opt("street", Text), Opt("primary", Boolean)]))),
        new("phone_numbers", new ArrayShape(new ObjectShape("PhoneNumber", [
            new("number", Text), Opt("primary", Boolean), new("type", new StringShape(["home", "work", "mobile", "other"]))]))),
        new("emails", new ArrayShape(new ObjectShape("Email", [new("address", Text), Opt("primary", Boolean)])))]);

    // identity_response.rb, account_identity.rb
    public static readonly ObjectShape Identity = new("IdentityResponse", [
        new("accounts", new ArrayShape(new ObjectShape("AccountIdentity", [.. AccountFields, new("owners", new ArrayShape(Owner))]))),
        new("link", Link)]);

    // transaction_response.rb (+ seed: amount a decimal, type credit|debit, date YYYY-MM-DD)
    private static readonly ObjectShape Transaction = new("TransactionResponse", [
        new("transaction_id", Text), new("account_id", Text), new("amount", Decimal), new("type", new StringShape(["credit", "debit"])),
        new("currency", Text), new("date", new StringShape(Format: Format.Date)), Opt("datetime", DateTime), Opt("description", Text),
        Opt("raw_description", Text), new("pending", Boolean), Opt("enrichment", new AnyShape()), Opt("original_id", Text)]);

    // api_public_transactions_legacy_get_transactions_response.rb (page-paged; seed "List All Link Transactions")
    public static readonly ObjectShape TransactionsLegacy = new("ApiPublicTransactionsLegacyGetTransactionsResponse", [
        new("total", Number), new("page", Number), new("size", Number),
        new("transactions", new ArrayShape(Transaction)), new("accounts", new ArrayShape(Account)), new("link", Link)]);

    // api_public_transactions_get_transactions_response.rb (cursor-paged)
    public static readonly ObjectShape Transactions = new("ApiPublicTransactionsGetTransactionsResponse", [
        new("transactions", new ArrayShape(Transaction)), new("accounts", new ArrayShape(Account)), new("link", Link), new("cursor", CursorPagination)]);

    // get_user_transactions_response.rb (accounts: Hash<account_id, BasicAccountDetails>, nullable), basic_account_details.rb
    public static readonly ObjectShape UserTransactions = new("GetUserTransactionsResponse", [
        new("total", Number), new("page", Number), new("size", Number), new("transactions", new ArrayShape(Transaction)),
        Opt("accounts", new MapShape(new ObjectShape("BasicAccountDetails", [
            new("name", Text), Opt("last_synced_at", DateTime), new("institution_id", Text), new("link_id", Text)])))]);

    // get_user_accounts_response.rb (links: Hash<link_id, AccountGroup>), account_group.rb
    public static readonly ObjectShape UserAccounts = new("GetUserAccountsResponse", [
        new("links", new MapShape(new ObjectShape("AccountGroup", [new("accounts", new ArrayShape(Account)), Opt("last_synced_at", DateTime)])))]);

    // transaction_sync_response.rb (accounts: added in SDK 0.2.0 per the shared reference §1.3, so not required), cursor.rb
    public static readonly ObjectShape TransactionsSync = new("TransactionSyncResponse", [
        new("transactions", new ObjectShape("TransactionSync", [
            new("created", new ArrayShape(Transaction)), new("updated", new ArrayShape(Transaction)), new("removed", new ArrayShape(Text))])),
        new("accounts", new ArrayShape(Account), Required: false), new("cursor", new ObjectShape("Cursor", [new("next", Text)])), new("has_more", Boolean), new("link", Link)]);

    // api_error_*_response.rb, link_error_*_response.rb, http_validation_error.rb: error_code and error_message always present
    public static ObjectShape Error(params string[] codes) => new("ErrorResponse", [
        new("error_code", new StringShape(codes)), new("error_message", Text), Opt("documentation_url", Text)]);

    // link_error_bad_state_response.rb: also names the link's error
    public static ObjectShape BadState { get; } = new("LinkErrorBadStateResponse", [
        new("error_code", new StringShape(["link_error.bad_state"])), new("error_message", Text), Opt("documentation_url", Text),
        new("link_error_code", new StringShape([.. LinkError.Enum!, "connecting", "awaiting_token_exchange", "connected", "deleted", "error"]))]);

    public static ObjectShape AccountNumbersFor(string version) => version == V20230218 ? AccountNumbersLegacy : AccountNumbers;

    public static ObjectShape TransactionsFor(string version) => version == V20230218 ? TransactionsLegacy : Transactions;
}
