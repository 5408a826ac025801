using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Auth;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Institutions;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox.Connect;

/// <summary>
/// <c>POST /link-session</c>, <c>POST /link-session/exchange-token</c>, and headless Connect under
/// <c>/sandbox/connect/{link_session_token}</c>: institution → credentials → MFA (Credentials Bank), OAuth approval
/// (OAuth Bank), or nothing (Instant Bank); then, optionally, the grant step (<c>POST .../grant</c>) narrows the accounts and
/// products the link gets. Skipped, everything requested and every account is granted. Products are fetched at login when
/// <c>settings.products.*.prefetch</c> says so (Instant Bank prefetches unless told not to); the others wait for their first refresh.
/// <c>POST .../cancel</c> ends the session for a user who leaves. The steps themselves are <see cref="ConnectFlow"/>'s, shared with
/// the HTML Connect UI (<see cref="ConnectPages"/>).
/// </summary>
internal static class ConnectEndpoints
{
    public static void MapLinkSessionEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/link-session", CreateSessionAsync);
        api.MapPost("/link-session/exchange-token", ExchangeAsync);
    }

    public static void MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/sandbox/connect/{token}");
        connect.MapGet(string.Empty, (string token, ConnectFlow flow) => flow.WithSession(token, Describe));
        connect.MapPost("/institution", ChooseInstitutionAsync);
        connect.MapPost("/credentials", SubmitCredentialsAsync);
        connect.MapPost("/mfa", AnswerMfaAsync);
        connect.MapPost("/oauth/authorize", AuthorizeOAuthAsync);
        connect.MapPost("/grant", GrantAsync);
        connect.MapPost("/cancel", (string token, ConnectFlow flow) => flow.WithSession(token, session => ConnectFlow.Cancel(session) ?? Describe(session)));
        connect.MapGet("/oauth/authorize", (string token, ConnectFlow flow) =>
            flow.WithSession(token, s =>
            {
                var result = flow.AnswerOAuth(s, approve: true) ?? Describe(s);
                return s.Step == ConnectStep.Complete && ConnectFlow.RedirectUrl(s) is { } redirect ? TypedResults.Redirect(redirect) : result;
            }));
    }

    private static async Task<IResult> CreateSessionAsync(HttpContext context, LinkSessions sessions, LinkRegistry links, ConnectFlow flow, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.CreateLinkSessionRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(body!.CustomerUser?.Id))
        {
            return ErrorResult.Validation("customer_user", "customer_user.id is required.");
        }

        if (body.Webhook is not null && !WebhookUrls.IsValid(body.Webhook))
        {
            return ErrorResult.Validation("webhook", "webhook must be an absolute http(s) URL.");
        }

        if (body.RedirectUri is not null && !WebhookUrls.IsValid(body.RedirectUri))
        {
            return ErrorResult.Validation("redirect_uri", "redirect_uri must be an absolute http(s) URL.");
        }

        SandboxInstitution? institution = null;
        if (body.InstitutionId is not null && (institution = SandboxInstitution.Find(body.InstitutionId)) is null)
        {
            return ErrorResult.NotFound("institution_error.not_found", "Institution not found.");
        }

        var clientId = ApiCaller.ClientId(context);
        if (body.ExistingLinkId is { } existingId)
        {
            var existing = links.Find(existingId);
            if (existing is null || existing.ClientId != clientId)
            {
                return ErrorResult.LinkNotFound();
            }

            lock (existing.Gate)
            {
                if (existing.State == LinkState.Deleted)
                {
                    return ErrorResult.LinkDeleted();
                }

                if (existing.CustomerUserId != body.CustomerUser.Id || (institution is not null && institution.Id != existing.Institution.Id))
                {
                    return new ErrorResult(StatusCodes.Status422UnprocessableEntity, new MoneyKitError(
                        "link_session_error.forbidden_config", "A reconnect cannot change institution or customer user.", null));
                }

                institution = existing.Institution;
            }
        }

        var products = body.Settings?.Products?.Keys.ToList() is { Count: > 0 } requested ? requested : [.. SandboxProducts.Available];
        if (products.FirstOrDefault(p => !SandboxProducts.Available.Contains(p)) is { } unknown)
        {
            return ErrorResult.Validation("settings.products", $"Product '{unknown}' is not available in the sandbox.");
        }

        if (!products.Contains(SandboxProducts.Accounts))
        {
            products.Insert(0, SandboxProducts.Accounts);
        }

        var session = new LinkSession
        {
            Token = LinkSessions.NewToken("lst_"),
            ClientId = clientId,
            CustomerUserId = body.CustomerUser.Id,
            RedirectUri = body.RedirectUri,
            Webhook = body.Webhook,
            LinkTags = body.LinkTags ?? [],
            Products = products,
            Prefetch = body.Settings?.Products?
                .Where(p => p.Value?.Prefetch is not null)
                .ToDictionary(p => p.Key, p => p.Value!.Prefetch!.Value, StringComparer.Ordinal) ?? [],
            ExistingLinkId = body.ExistingLinkId,
            ExpiresAt = time.GetUtcNow() + LinkSessions.Lifetime,
        };
        sessions.Add(session);
        if (institution is not null)
        {
            lock (session.Gate)
            {
                flow.Start(session, institution);
            }
        }

        return TypedResults.Json(new CreateLinkSessionResponse(session.Token, session.ExpiresAt.UtcDateTime), SandboxJsonContext.Default.CreateLinkSessionResponse);
    }

    private static async Task<IResult> ExchangeAsync(HttpContext context, LinkSessions sessions, LinkRegistry links, LinkWebhooks webhooks, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ExchangeTokenRequest, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var invalid = new ErrorResult(StatusCodes.Status422UnprocessableEntity, new MoneyKitError(
            "link_session_error.invalid_token_exchange", "The exchangeable token is invalid or was already used.", null));
        var session = string.IsNullOrEmpty(body!.ExchangeableToken) ? null : sessions.FindByExchangeableToken(body.ExchangeableToken);
        if (session is null || session.ClientId != ApiCaller.ClientId(context))
        {
            return invalid;
        }

        lock (session.Gate)
        {
            if (session.Step != ConnectStep.Complete || links.Find(session.LinkId!) is not { } link)
            {
                return invalid;
            }

            session.Step = ConnectStep.Exchanged;
            lock (link.Gate)
            {
                link.State = LinkState.Connected;
                link.ErrorCode = null;
                webhooks.SendStateChanged(link);
                return TypedResults.Json(new ExchangeTokenResponse(link.Id, link.ToWire()), SandboxJsonContext.Default.ExchangeTokenResponse);
            }
        }
    }

    private static async Task<IResult> ChooseInstitutionAsync(string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectInstitutionRequest, null, cancellationToken);
        return error ?? flow.WithSession(token, session => flow.ChooseInstitution(session, body!.InstitutionId) ?? Describe(session));
    }

    private static async Task<IResult> SubmitCredentialsAsync(string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectCredentialsRequest, null, cancellationToken);
        return error ?? flow.WithSession(token, session => flow.SubmitCredentials(session, body!.Username, body.Password) ?? Describe(session));
    }

    private static async Task<IResult> AnswerMfaAsync(string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectMfaRequest, null, cancellationToken);
        return error ?? flow.WithSession(token, session => flow.AnswerMfa(session, body!.Answers ?? []) ?? Describe(session));
    }

    private static async Task<IResult> AuthorizeOAuthAsync(string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectOAuthRequest, new ConnectOAuthRequest(true), cancellationToken);
        return error ?? flow.WithSession(token, session => flow.AnswerOAuth(session, body!.Approve ?? true) ?? Describe(session));
    }

    private static async Task<IResult> GrantAsync(string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectGrantRequest, new ConnectGrantRequest(null, null), cancellationToken);
        return error ?? flow.WithSession(token, session => flow.Grant(session, body!.AccountIds, body.Products) ?? Describe(session));
    }

    private static IResult Describe(LinkSession session)
    {
        var complete = session.Step == ConnectStep.Complete;
        return TypedResults.Json(
            new ConnectStepWire(
                ConnectFlow.StepName(session.Step),
                session.Institution?.Id,
                session.LinkId,
                session.Step == ConnectStep.Mfa ? CredentialsBankUsers.Challenge(session.TestUser!) : null,
                session.Step == ConnectStep.OAuth ? $"/sandbox/connect/{session.Token}/oauth/authorize" : null,
                complete ? session.ExchangeableToken : null,
                complete ? ConnectFlow.RedirectUrl(session) : null,
                session.ErrorCode,
                complete ? session.Accounts : null,
                complete ? session.LinkProducts : null),
            SandboxJsonContext.Default.ConnectStepWire);
    }
}
