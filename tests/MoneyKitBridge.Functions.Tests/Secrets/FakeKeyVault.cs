using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.Functions.Tests.Secrets;

/// <summary>
/// A local HTTPS server speaking the Key Vault secrets protocol: challenge-based bearer auth (401 with
/// <c>WWW-Authenticate: Bearer authorization="...", resource="..."</c>), <c>GET /secrets/{name}[/{version}]</c> answering
/// <c>{value,id,attributes}</c>, and 404 <c>SecretNotFound</c>. Its certificate is self-signed and trusted only by
/// <see cref="CreateClientOptions"/>.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string AccessToken = "fake-vault-access-token";

    private readonly ConcurrentDictionary<string, (string Value, int Version)> secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<(string Path, string Query, string? Authorization)> requests = new();
    private readonly X509Certificate2 certificate;
    private readonly WebApplication app;

    private FakeKeyVault(X509Certificate2 certificate, WebApplication app)
    {
        this.certificate = certificate;
        this.app = app;
    }

    public Uri VaultUri { get; private set; } = null!;

    public IReadOnlyCollection<(string Path, string Query, string? Authorization)> Requests => requests;

    public static async Task<FakeKeyVault> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var vault = new FakeKeyVault(certificate, app);
        app.Run(vault.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        vault.VaultUri = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return vault;
    }

    public void SetSecret(string vaultName, string value) =>
        secrets.AddOrUpdate(vaultName, _ => (value, 1), (_, old) => (value, old.Version + 1));

    public void DeleteSecret(string vaultName) => secrets.TryRemove(vaultName, out _);

    public int ReadsOf(string vaultName) =>
        requests.Count(r => r.Authorization is not null && r.Path.StartsWith("/secrets/" + vaultName, StringComparison.OrdinalIgnoreCase));

    public SecretClientOptions CreateClientOptions()
    {
        var thumbprint = certificate.Thumbprint;
#pragma warning disable CA5400 // Revocation is meaningless for a test certificate.
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == thumbprint,
        };
#pragma warning restore CA5400
        // The challenge names the real vault resource, which a loopback host can never match.
        var options = new SecretClientOptions { Transport = new HttpClientTransport(handler), DisableChallengeResourceVerification = true };
        options.Retry.MaxRetries = 0;
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UnixEpoch.AddYears(50), DateTimeOffset.UnixEpoch.AddYears(100));
        // Kestrel on Linux needs the private key in a persisted (PFX-loaded) form.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        requests.Enqueue((context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", authorization.Length == 0 ? null : authorization));
        if (authorization != "Bearer " + AccessToken)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate =
                $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"https://vault.azure.net\"";
            return;
        }

        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!HttpMethods.IsGet(context.Request.Method) || segments is not ["secrets", var name, ..] || !context.Request.Query.ContainsKey("api-version"))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!secrets.TryGetValue(name, out var secret))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new
            {
                error = new { code = "SecretNotFound", message = $"A secret with (name/id) {name} was not found in this key vault." },
            });
            return;
        }

        var version = secret.Version.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            value = secret.Value,
            id = $"{VaultUri}secrets/{name}/{version}",
            attributes = new { enabled = true, created = 1767600000, updated = 1767600000, recoveryLevel = "Recoverable+Purgeable" },
        }));
    }
}
