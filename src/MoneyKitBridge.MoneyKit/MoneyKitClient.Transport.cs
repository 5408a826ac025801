using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace MoneyKitBridge.MoneyKit;

/// <summary>Sending, retries, token handling and error mapping.</summary>
public sealed partial class MoneyKitClient
{
    private static readonly TimeSpan BackoffBase = TimeSpan.FromMilliseconds(500);
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    /// <summary>
    /// Sends <paramref name="call"/>: a transient answer (408/429/5xx), a timeout or a connection failure is retried up
    /// to MaxRetries times after <c>Retry-After</c> (unless longer than MaxRetryDelay) or <see cref="Backoff"/>; a POST
    /// only when it cannot have been applied (408, 429, 503, or the connection was never made).
    /// </summary>
    private async Task<MoneyKitReply> SendAsync(MoneyKitCall call, CancellationToken cancellationToken)
    {
        var retries = 0;
        var tokenRenewed = false;
        var credentialsReloaded = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = call.Auth == MoneyKitCallAuth.Bearer ? await tokens.GetAsync(cancellationToken) : null;
            var (reply, failure) = await SendOnceAsync(call, token, cancellationToken);
            MoneyKitTelemetry.Answered(call.Method, call.Path, reply?.Status);
            TimeSpan delay;
            if (reply is not null)
            {
                if (reply.Status is >= 200 and < 300)
                {
                    return reply;
                }

                var error = ReadError(reply.Body);
                if (reply.Status == 401 && token is not null)
                {
                    if (error?.ErrorCode == MoneyKitErrorCodes.ExpiredAccessToken && !tokenRenewed)
                    {
                        tokenRenewed = true;
                        logger.LogInformation("MoneyKit {Method} {Path}: access token expired (request id {RequestId}); renewing it", call.Method, call.Path, reply.RequestId);
                        tokens.Reject(token, reload: false);
                        continue;
                    }

                    if (error?.ErrorCode == MoneyKitErrorCodes.Unauthorized && !credentialsReloaded)
                    {
                        credentialsReloaded = true;
                        logger.LogWarning("MoneyKit {Method} {Path}: token rejected as unauthorized (request id {RequestId}); reloading credentials", call.Method, call.Path, reply.RequestId);
                        tokens.Reject(token, reload: true);
                        continue;
                    }
                }

                if (!IsTransient(reply.Status) || retries >= maxRetries || reply.RetryAfter > maxRetryDelay
                    || (call.Method == HttpMethod.Post && reply.Status is not (408 or 429 or 503)))
                {
                    throw ErrorFor(call, reply, error);
                }

                delay = reply.RetryAfter ?? Backoff(retries);
                retries++;
                logger.LogWarning(
                    "MoneyKit {Method} {Path} answered {Status} {ErrorCode} (request id {RequestId}); retry {Retry} of {MaxRetries} in {Delay}",
                    call.Method, call.Path, reply.Status, error?.ErrorCode, reply.RequestId, retries, maxRetries, delay);
            }
            else
            {
                if (retries >= maxRetries || (call.Method == HttpMethod.Post && failure is not HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }))
                {
                    throw new MoneyKitException($"MoneyKit {call.Method} /{call.Path} failed after {retries + 1} attempts: {failure!.Message}", failure);
                }

                delay = Backoff(retries);
                retries++;
                logger.LogWarning(
                    "MoneyKit {Method} {Path} failed ({Failure}); retry {Retry} of {MaxRetries} in {Delay}",
                    call.Method, call.Path, failure!.Message, retries, maxRetries, delay);
            }

            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private async Task<(MoneyKitReply? Reply, Exception? Failure)> SendOnceAsync(MoneyKitCall call, string? token, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(requestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(call.Method, new Uri(baseUrl, call.Path + call.Query));
        request.Headers.Add("MoneyKit-Version", call.Version ?? version);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        switch (call.Auth)
        {
            case MoneyKitCallAuth.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                break;
            case MoneyKitCallAuth.ClientId:
                request.Headers.Add("X-Client-Id", call.ClientId);
                break;
        }

        if (call.Form is not null)
        {
            request.Content = new FormUrlEncodedContent(call.Form);
        }
        else if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.ContentType = JsonMediaType;
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
            return (new MoneyKitReply((int)response.StatusCode, body, requestId, RetryAfter(response.Headers.RetryAfter)), null);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, new TimeoutException($"no answer within {requestTimeout}", ex));
        }
        catch (HttpRequestException ex)
        {
            return (null, ex);
        }
        catch (IOException ex)
        {
            return (null, ex);
        }
    }

    private async Task<MoneyKitAccessToken> FetchAccessTokenAsync(bool reloadCredentials)
    {
        var client = await credentials(reloadCredentials, CancellationToken.None);
        try
        {
            return await RequestAccessTokenAsync(client);
        }
        catch (MoneyKitException ex) when (ex.Status == 401 && !reloadCredentials)
        {
            // The secret may have rotated since it was read: read it again once.
            logger.LogWarning("MoneyKit rejected the client credentials (request id {RequestId}); reloading them", ex.RequestId);
            client = await credentials(true, CancellationToken.None);
            return await RequestAccessTokenAsync(client);
        }
    }

    private async Task<MoneyKitAccessToken> RequestAccessTokenAsync(MoneyKitCredentials client)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client.ClientId,
            ["client_secret"] = client.ClientSecret,
        };
        var call = new MoneyKitCall(HttpMethod.Post, "auth/token", Auth: MoneyKitCallAuth.None, Form: form);
        var reply = await SendAsync(call, CancellationToken.None);
        var token = Read(reply, MoneyKitInternalJsonContext.Default.MoneyKitAccessTokenResponse, call);
        if (string.IsNullOrEmpty(token.AccessToken) || token.ExpiresIn <= 0)
        {
            throw UnreadableBody(call, reply, null);
        }

        logger.LogInformation("MoneyKit access token obtained, valid for {Lifetime}", TimeSpan.FromSeconds(token.ExpiresIn));
        return new MoneyKitAccessToken(token.AccessToken, time.GetUtcNow(), TimeSpan.FromSeconds(token.ExpiresIn));
    }

    private static T Read<T>(MoneyKitReply reply, JsonTypeInfo<T> typeInfo, MoneyKitCall? call = null)
    {
        try
        {
            return JsonSerializer.Deserialize(reply.Body, typeInfo) ?? throw new JsonException("The body is JSON null.");
        }
        catch (JsonException ex)
        {
            throw UnreadableBody(call, reply, ex);
        }
    }

    private static MoneyKitException UnreadableBody(MoneyKitCall? call, MoneyKitReply reply, Exception? cause) =>
        new($"MoneyKit {Describe(call)} answered {reply.Status} with a body that is not the expected JSON (request id {reply.RequestId ?? "none"})", cause)
        {
            Status = reply.Status,
            RequestId = reply.RequestId,
        };

    private static MoneyKitException ErrorFor(MoneyKitCall call, MoneyKitReply reply, MoneyKitErrorBody? error)
    {
        var message = new StringBuilder()
            .Append("MoneyKit ").Append(Describe(call)).Append(" answered ").Append(reply.Status);
        if (error?.ErrorCode is { } code)
        {
            message.Append(' ').Append(code);
        }

        if (error?.LinkErrorCode is { } linkCode)
        {
            message.Append(" (link error ").Append(linkCode).Append(')');
        }

        message.Append(" (request id ").Append(reply.RequestId ?? "none").Append(')');
        return new MoneyKitException(message.ToString())
        {
            Status = reply.Status,
            ErrorCode = error?.ErrorCode,
            ErrorMessage = error?.ErrorMessage,
            LinkErrorCode = error?.LinkErrorCode,
            RequestId = reply.RequestId,
            RetryAfter = reply.RetryAfter,
        };
    }

    private static string Describe(MoneyKitCall? call) => call is null ? "request" : $"{call.Method} /{call.Path}";

    private static MoneyKitErrorBody? ReadError(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, MoneyKitInternalJsonContext.Default.MoneyKitErrorBody);
        }
        catch (JsonException)
        {
            return null; // e.g. an HTML page from a proxy: status and request id still tell the story.
        }
    }

    private static bool IsTransient(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>Exponential backoff (0.5 s, 1 s, 2 s, ...) capped at MaxRetryDelay, with jitter in [50 %, 100 %].</summary>
    private TimeSpan Backoff(int retry)
    {
        var exponential = BackoffBase * Math.Pow(2, Math.Min(retry, 20));
        var capped = exponential < maxRetryDelay ? exponential : maxRetryDelay;
        var jitter = 0.5 + (RandomNumberGenerator.GetInt32(0, 1001) / 2000.0);
        return capped * jitter;
    }

    private sealed record MoneyKitReply(int Status, byte[] Body, string? RequestId, TimeSpan? RetryAfter);
}

/// <summary>How a call authenticates.</summary>
internal enum MoneyKitCallAuth
{
    Bearer,
    ClientId,
    None,
}

/// <summary>One logical MoneyKit request; re-sent as is on retries.</summary>
internal sealed record MoneyKitCall(
    HttpMethod Method,
    string Path,
    byte[]? Body = null,
    string Query = "",
    MoneyKitCallAuth Auth = MoneyKitCallAuth.Bearer,
    string? ClientId = null,
    IReadOnlyDictionary<string, string>? Form = null,
    string? Version = null);
