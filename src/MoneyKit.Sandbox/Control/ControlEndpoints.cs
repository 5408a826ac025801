using System.Globalization;
using System.Text.Json;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Institutions;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox.Control;

/// <summary>The sandbox-only control surface under <c>/sandbox</c> (no auth) used by tests and benchmarks.</summary>
internal static class ControlEndpoints
{
    private const int MaxSeedCount = 1_000_000;

    public static void MapControlEndpoints(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox");
        sandbox.MapPost("/links", CreateLinkAsync);
        sandbox.MapPost("/links/{id}/transactions/seed", SeedTransactionsAsync);
        sandbox.MapPatch("/links/{id}/transactions/{transactionId}", PatchTransactionAsync);
        sandbox.MapDelete("/links/{id}/transactions/{transactionId}", DeleteTransaction);
        sandbox.MapPost("/links/{id}/state", SetLinkStateAsync);
        sandbox.MapPost("/links/{id}/cursors/expire", ExpireCursors);
        sandbox.MapPost("/clock/advance", AdvanceClockAsync);
        sandbox.MapPost("/faults", AddFaultAsync);
        sandbox.MapDelete("/faults", (FaultRules faults) =>
        {
            faults.Clear();
            return TypedResults.NoContent();
        });
        sandbox.MapPost("/tokens/expire", (AccessTokens tokens) =>
            TypedResults.Json(new ExpiredTokens(tokens.ExpireAll()), SandboxJsonContext.Default.ExpiredTokens));
        sandbox.MapPost("/keys/rotate", (WebhookSigningKeys keys) =>
            TypedResults.Json(new RotatedKey(keys.Rotate()), SandboxJsonContext.Default.RotatedKey));
        sandbox.MapPost("/webhooks/behaviour", SetWebhookBehaviourAsync);
        sandbox.MapGet("/requests", (RequestLog log) =>
            TypedResults.Json(log.Snapshot(), SandboxJsonContext.Default.IReadOnlyListRequestLogEntry));
        sandbox.MapDelete("/requests", (RequestLog log) =>
        {
            log.Clear();
            return TypedResults.NoContent();
        });
        sandbox.MapGet("/webhooks/deliveries", (WebhookDispatcher dispatcher) =>
            TypedResults.Json(dispatcher.Deliveries(), SandboxJsonContext.Default.IReadOnlyListWebhookDeliveryEntry));
    }

    private static async Task<IResult> CreateLinkAsync(HttpContext context, LinkRegistry links, SandboxOptions options, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.CreateSandboxLinkRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(body!.CustomerUserId))
        {
            return ErrorResult.Validation("customer_user_id", "customer_user_id is required.");
        }

        var institution = SandboxInstitution.Find(body.InstitutionId ?? SandboxInstitution.InstantBankId);
        if (institution is null)
        {
            return ErrorResult.NotFound("institution_error.not_found", "Institution not found.");
        }

        var clientId = body.ClientId ?? options.Apps[0].ClientId;
        if (!options.Apps.Any(a => a.ClientId == clientId))
        {
            return ErrorResult.Validation("client_id", "client_id is not a configured sandbox app.");
        }

        var products = body.Products is { Count: > 0 } requested ? requested.Distinct(StringComparer.Ordinal).ToList() : [.. SandboxProducts.Available];
        if (products.FirstOrDefault(p => !SandboxProducts.Available.Contains(p)) is { } unknown)
        {
            return ErrorResult.Validation("products", $"Product '{unknown}' is not available in the sandbox.");
        }

        if (!products.Contains(SandboxProducts.Accounts))
        {
            products.Insert(0, SandboxProducts.Accounts);
        }

        if (body.Webhook is not null && !WebhookUrls.IsValid(body.Webhook))
        {
            return ErrorResult.Validation("webhook", "webhook must be an absolute http(s) URL.");
        }

        var pendingMode = options.PendingMode;
        if (body.PendingMode is { } mode && !TryParsePendingMode(mode, out pendingMode))
        {
            return ErrorResult.Validation("pending_mode", "pending_mode must be resolve_as_update or replace_dropped.");
        }

        var link = links.Create(new LinkSpec(
            clientId, body.CustomerUserId, institution, body.Username, products, body.Webhook, body.LinkTags ?? [], pendingMode, LinkState.Connected));
        lock (link.Gate)
        {
            return TypedResults.Json(link.ToWire(), SandboxJsonContext.Default.LinkWire, statusCode: StatusCodes.Status201Created);
        }
    }

    internal static bool TryParsePendingMode(string text, out SandboxPendingMode mode) =>
        Enum.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out mode) && Enum.IsDefined(mode);

    private static async Task<IResult> SeedTransactionsAsync(string id, HttpContext context, LinkRegistry links, TimeProvider time, CancellationToken cancellationToken)
    {
        var link = links.Find(id);
        if (link is null)
        {
            return ErrorResult.LinkNotFound();
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.SeedTransactionsRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (body!.Count is not { } count || count is < 1 or > MaxSeedCount)
        {
            return ErrorResult.Validation("count", $"count must be between 1 and {MaxSeedCount}.");
        }

        var days = body.Days ?? 730;
        if (days is < 1 or > 3650)
        {
            return ErrorResult.Validation("days", "days must be between 1 and 3650.");
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        lock (link.Gate)
        {
            if (link.State == LinkState.Deleted)
            {
                return ErrorResult.LinkDeleted();
            }

            for (var i = 0; i < count; i++)
            {
                var date = today.AddDays(-1 - link.DataRandom.Next(days));
                link.Transactions.Add(SandboxBankData.CreateTransaction(link.DataRandom, link.IdRandom, link.Accounts, date, pending: false));
            }

            return TypedResults.Json(new SeedTransactionsResponse(count, link.Transactions.LiveCount), SandboxJsonContext.Default.SeedTransactionsResponse);
        }
    }

    private static async Task<IResult> PatchTransactionAsync(string id, string transactionId, HttpContext context, LinkRegistry links, CancellationToken cancellationToken)
    {
        var link = links.Find(id);
        if (link is null)
        {
            return ErrorResult.LinkNotFound();
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.PatchTransactionRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (body!.Amount is < 0)
        {
            return ErrorResult.Validation("amount", "amount must not be negative (type gives the direction).");
        }

        lock (link.Gate)
        {
            var txn = link.Transactions.Find(transactionId);
            if (txn is null)
            {
                return ErrorResult.NotFound("transaction_error.not_found", "Transaction not found.");
            }

            link.Transactions.Update(txn, t =>
            {
                t.Amount = body.Amount ?? t.Amount;
                t.Description = body.Description ?? t.Description;
            });
            return TypedResults.Json(txn.ToWire(), SandboxJsonContext.Default.TransactionWire);
        }
    }

    private static IResult DeleteTransaction(string id, string transactionId, LinkRegistry links)
    {
        var link = links.Find(id);
        if (link is null)
        {
            return ErrorResult.LinkNotFound();
        }

        lock (link.Gate)
        {
            var txn = link.Transactions.Find(transactionId);
            if (txn is null)
            {
                return ErrorResult.NotFound("transaction_error.not_found", "Transaction not found.");
            }

            link.Transactions.Remove(txn, dropped: false);
            return TypedResults.NoContent();
        }
    }

    private static async Task<IResult> SetLinkStateAsync(string id, HttpContext context, LinkRegistry links, LinkWebhooks webhooks, CancellationToken cancellationToken)
    {
        var link = links.Find(id);
        if (link is null)
        {
            return ErrorResult.LinkNotFound();
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.SetLinkStateRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        (LinkState State, string? ErrorCode)? target = body!.State switch
        {
            "connected" => (LinkState.Connected, null),
            "error" => (LinkState.Error, body.ErrorCode ?? "auth_expired"),
            "disconnected" => (LinkState.Error, body.ErrorCode ?? "auth_expired"),
            "deleted" => (LinkState.Deleted, null),
            _ => null,
        };
        if (target is null)
        {
            return ErrorResult.Validation("state", "state must be connected, error, disconnected or deleted.");
        }

        if (target.Value.ErrorCode is { } code && !LinkStates.ErrorCodes.Contains(code))
        {
            return ErrorResult.Validation("error_code", $"Unknown link error code '{code}'.");
        }

        lock (link.Gate)
        {
            if (link.State == LinkState.Deleted)
            {
                return ErrorResult.LinkDeleted();
            }

            if (target.Value.State == LinkState.Deleted)
            {
                LinkDeletion.Delete(link, webhooks);
                return TypedResults.Json(link.ToWire(), SandboxJsonContext.Default.LinkWire);
            }

            (link.State, link.ErrorCode) = target.Value;
            webhooks.SendStateChanged(link);
            return TypedResults.Json(link.ToWire(), SandboxJsonContext.Default.LinkWire);
        }
    }

    /// <summary>
    /// MoneyKit forgets every <c>transactions/sync</c> cursor it issued for the link: a later call with one is answered
    /// 422 <c>api_error.request.validation_failed</c> (query <c>cursor</c>); a call without a cursor is served as always.
    /// </summary>
    private static IResult ExpireCursors(string id, LinkRegistry links)
    {
        var link = links.Find(id);
        if (link is null)
        {
            return ErrorResult.LinkNotFound();
        }

        lock (link.Gate)
        {
            link.CursorEpoch++;
            return TypedResults.NoContent();
        }
    }

    private static async Task<IResult> AdvanceClockAsync(HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.AdvanceClockRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (body!.Seconds is not { } seconds || seconds < 0 || seconds > TimeSpan.FromDays(3650).TotalSeconds)
        {
            return ErrorResult.Validation("seconds", "seconds must be a non-negative number.");
        }

        if (time is not SandboxClock clock)
        {
            return ErrorResult.Conflict("sandbox_error.clock_not_adjustable", "This sandbox runs on a clock owned by its host; advance that clock instead.");
        }

        clock.Advance(TimeSpan.FromSeconds(seconds));
        return TypedResults.Json(new ClockResponse(clock.GetUtcNow().UtcDateTime), SandboxJsonContext.Default.ClockResponse);
    }

    private static async Task<IResult> AddFaultAsync(HttpContext context, FaultRules faults, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.FaultRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(body!.PathPrefix) || body.PathPrefix[0] != '/')
        {
            return ErrorResult.Validation("path_prefix", "path_prefix must start with '/'.");
        }

        if (body.Status is { } status && status is < 400 or > 599)
        {
            return ErrorResult.Validation("status", "status must be a 4xx or 5xx code.");
        }

        if (body.Status is null && body.LatencyMs is null && body.DropConnection != true)
        {
            return ErrorResult.Validation("status", "A fault needs a status, a latency or drop_connection.");
        }

        var count = body.Count ?? 1;
        if (count < 1 || body.LatencyMs is < 0 or > 600_000 || body.RetryAfterSeconds is < 0 || body.Skip is < 0)
        {
            return ErrorResult.Validation("count", "count must be >= 1, latency_ms between 0 and 600000, retry_after_seconds and skip >= 0.");
        }

        string? retryAfter = body.RetryAfterSeconds?.ToString(CultureInfo.InvariantCulture);
        if (body.RetryAfterHttpDate is { } httpDate)
        {
            if (httpDate.ValueKind == JsonValueKind.String)
            {
                retryAfter = httpDate.GetString();
            }
            else if (httpDate.ValueKind == JsonValueKind.True)
            {
                retryAfter = (time.GetUtcNow() + TimeSpan.FromSeconds(body.RetryAfterSeconds ?? 0)).ToString("R", CultureInfo.InvariantCulture);
            }
            else if (httpDate.ValueKind is not (JsonValueKind.False or JsonValueKind.Null))
            {
                return ErrorResult.Validation("retry_after_http_date", "retry_after_http_date must be an HTTP date string or a boolean.");
            }
        }

        var faultId = faults.Add(id => new FaultRule
        {
            Id = id,
            Method = body.Method,
            PathPrefix = body.PathPrefix,
            Status = body.Status,
            ErrorCode = body.ErrorCode,
            RetryAfter = retryAfter,
            LatencyMs = body.LatencyMs ?? 0,
            DropConnection = body.DropConnection == true,
            Remaining = count,
            Skip = body.Skip ?? 0,
        });
        return TypedResults.Json(new FaultResponse(faultId, count), SandboxJsonContext.Default.FaultResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> SetWebhookBehaviourAsync(HttpContext context, WebhookDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.WebhookBehaviourRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        int? failNext = body!.FailNext switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var value) && value >= 0 => value,
            { ValueKind: JsonValueKind.True } => 1,
            { ValueKind: JsonValueKind.False } => 0,
            null or { ValueKind: JsonValueKind.Null } => null,
            _ => -1,
        };
        if (failNext < 0)
        {
            return ErrorResult.Validation("fail_next", "fail_next must be a non-negative count of delivery attempts (or a boolean).");
        }

        dispatcher.SetBehaviour(failNext, body.Duplicate, body.ReverseOrder);
        return TypedResults.NoContent();
    }
}
