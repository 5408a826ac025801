using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MoneyKitBridge.Functions.Hosting;
using MoneyKitBridge.Testing;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// The real app (its Program) on a test server, with secrets in configuration, a <see cref="TestClock"/> and the
/// test-only endpoints of <see cref="TestEndpoints"/>.
/// </summary>
public sealed class BridgeAppFactory : WebApplicationFactory<FunctionsAppMarker>
{
    public const string ReaderId = "reader-app";
    public const string ReaderSecret = "reader-secret-0123456789";
    public const string AdminId = "admin-app";
    public const string AdminSecret = "admin-secret-0123456789abc";

    /// <summary>An app using the whole MoneyKit SDK surface, account numbers and identity included.</summary>
    public const string SdkId = "sdk-app";
    public const string SdkSecret = "sdk-secret-0123456789abcdef";

    /// <summary>An operator: the operator view (<c>ops:read</c>) and nothing else.</summary>
    public const string OpsId = "ops-app";
    public const string OpsSecret = "ops-secret-0123456789abcdef";

    /// <summary>An operator who may also act on links (<c>ops:read</c>, <c>ops:write</c>: full resync).</summary>
    public const string OpsAdminId = "ops-admin-app";
    public const string OpsAdminSecret = "ops-admin-secret-0123456789ab";

    private readonly Action<IServiceCollection>? configureServices;

    public BridgeAppFactory(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        this.configureServices = configureServices;
        Settings = new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = SigningKeyBase64,
            ["Auth:Clients"] = ClientsJson(),
            ["Storage:ConnectionString"] = TestStorage.ConnectionString,
            ["Storage:TablePrefix"] = TestStorage.UniqueTableName("f"),
            ["MoneyKit:BaseUrl"] = "http://127.0.0.1:9/",
            ["MoneyKit:ClientId"] = "sandbox_client_id",
            ["MoneyKit:ClientSecret"] = "sandbox_client_secret",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Settings[key] = value;
        }
    }

    public static byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    public static string SigningKeyBase64 { get; } = Convert.ToBase64String(SigningKey);

    public TestClock Clock { get; } = new();

    public Dictionary<string, string?> Settings { get; }

    public static string ClientsJson(string readerSecret = ReaderSecret) =>
        $$"""
        [
          {"client_id":"{{ReaderId}}","client_secret":"{{readerSecret}}","scopes":["links:read"]},
          {"client_id":"{{AdminId}}","client_secret":"{{AdminSecret}}","scopes":["links:read","links:write"]},
          {"client_id":"{{SdkId}}","client_secret":"{{SdkSecret}}","scopes":["links:read","links:write","links:sensitive"]},
          {"client_id":"{{OpsId}}","client_secret":"{{OpsSecret}}","scopes":["ops:read"]},
          {"client_id":"{{OpsAdminId}}","client_secret":"{{OpsAdminSecret}}","scopes":["ops:read","ops:write"]}
        ]
        """;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting (host configuration) is visible to Program before Build, unlike app configuration callbacks.
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestEndpoints>();
            configureServices?.Invoke(services);
        });
    }
}
