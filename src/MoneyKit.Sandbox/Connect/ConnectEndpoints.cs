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
        connect.MapGet(string.Empty, (string token, LinkSessions sessions, TimeProvider time) => WithSession(sessions, time, token, Describe));
        connect.MapPost("/institution", ChooseInstitutionAsync);
        connect.MapPost("/credentials", SubmitCredentialsAsync);
        connect.MapPost("/mfa", AnswerMfaAsync);
        connect.MapPost("/oauth/authorize", AuthorizeOAuthAsync);
        connect.MapPost("/grant", GrantAsync);
        connect.MapGet("/oauth/authorize", (string token, LinkSessions sessions, LinkRegistry links, LinkWebhooks webhooks, TimeProvider time) =>
            WithSession(sessions, time, token, s =>
            {
                var result = CompleteOAuth(s, approve: true, links, webhooks);
                return s.Step == ConnectStep.Complete && s.RedirectUri is not null ? TypedResults.Redirect(RedirectUrl(s)!) : result;
            }));
    }

    private static async Task<IResult> CreateSessionAsync(HttpContext context, LinkSessions sessions, LinkRegistry links, TimeProvider time, CancellationToken cancellationToken)
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
                StartInstitution(session, institution, links);
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

    private static async Task<IResult> ChooseInstitutionAsync(string token, HttpContext context, LinkSessions sessions, LinkRegistry links, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectInstitutionRequest, null, cancellationToken);
        return error ?? WithSession(sessions, time, token, session =>
        {
            if (session.Step != ConnectStep.Institution)
            {
                return WrongStep(session);
            }

            if (SandboxInstitution.Find(body!.InstitutionId) is not { } institution)
            {
                return ErrorResult.NotFound("institution_error.not_found", "Institution not found.");
            }

            StartInstitution(session, institution, links);
            return Describe(session);
        });
    }

    private static async Task<IResult> SubmitCredentialsAsync(string token, HttpContext context, LinkSessions sessions, LinkRegistry links, LinkWebhooks webhooks, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectCredentialsRequest, null, cancellationToken);
        return error ?? WithSession(sessions, time, token, session =>
        {
            if (session.Step != ConnectStep.Credentials)
            {
                return WrongStep(session);
            }

            var user = CredentialsBankUsers.Resolve(body!.Username ?? string.Empty, body.Password ?? string.Empty);
            if (user is null)
            {
                Fail(session, "invalid_credentials", links, webhooks);
                return Describe(session);
            }

            session.TestUser = user;
            if (CredentialsBankUsers.Challenge(user) is not null)
            {
                session.Step = ConnectStep.Mfa;
            }
            else
            {
                Succeed(session, links);
            }

            return Describe(session);
        });
    }

    private static async Task<IResult> AnswerMfaAsync(string token, HttpContext context, LinkSessions sessions, LinkRegistry links, LinkWebhooks webhooks, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectMfaRequest, null, cancellationToken);
        return error ?? WithSession(sessions, time, token, session =>
        {
            if (session.Step != ConnectStep.Mfa)
            {
                return WrongStep(session);
            }

            if (CredentialsBankUsers.Accepts(session.TestUser!, body!.Answers ?? []))
            {
                Succeed(session, links);
            }
            else
            {
                Fail(session, "user_input_incorrect", links, webhooks);
            }

            return Describe(session);
        });
    }

    private static async Task<IResult> AuthorizeOAuthAsync(string token, HttpContext context, LinkSessions sessions, LinkRegistry links, LinkWebhooks webhooks, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectOAuthRequest, new ConnectOAuthRequest(true), cancellationToken);
        return error ?? WithSession(sessions, time, token, session => CompleteOAuth(session, body!.Approve ?? true, links, webhooks));
    }

    private static async Task<IResult> GrantAsync(string token, HttpContext context, LinkSessions sessions, LinkRegistry links, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.ConnectGrantRequest, new ConnectGrantRequest(null, null), cancellationToken);
        return error ?? WithSession(sessions, time, token, session =>
        {
            if (session.Step != ConnectStep.Complete || session.Granted || links.Find(session.LinkId!) is not { } link)
            {
                return session.Granted
                    ? ErrorResult.Conflict("link_session_error.wrong_step", "Access was already granted for this session.")
                    : WrongStep(session);
            }

            lock (link.Gate)
            {
                return Grant(session, link, body!) ?? Describe(session);
            }
        });
    }

    /// <summary>Applies the user's grant to the link waiting for its token exchange. Caller holds both locks.</summary>
    private static ErrorResult? Grant(LinkSession session, SandboxLink link, ConnectGrantRequest grant)
    {
        var accountIds = grant.AccountIds?.ToHashSet(StringComparer.Ordinal) ?? [.. link.Accounts.Select(a => a.Id)];
        if (accountIds.Count == 0)
        {
            return ErrorResult.Validation("account_ids", "Grant at least one account.");
        }

        if (accountIds.FirstOrDefault(id => link.Accounts.All(a => a.Id != id)) is { } unknownAccount)
        {
            return ErrorResult.Validation("account_ids", $"Account '{unknownAccount}' is not an account of this login.");
        }

        var products = grant.Products?.ToHashSet(StringComparer.Ordinal) ?? [.. link.Products.Keys];
        products.Add(SandboxProducts.Accounts); // account data comes with every link
        if (products.FirstOrDefault(p => !link.Products.ContainsKey(p)) is { } unknownProduct)
        {
            return ErrorResult.Validation("products", $"Product '{unknownProduct}' was not requested by this link session.");
        }

        var declinedProducts = link.Products.Keys.Where(p => !products.Contains(p)).ToList();
        var revokesAccounts = link.Accounts.Any(a => !accountIds.Contains(a.Id));
        if (declinedProducts.Any(p => !session.AddedProducts.Contains(p)) || (session.ExistingLinkId is not null && revokesAccounts))
        {
            return new ErrorResult(StatusCodes.Status422UnprocessableEntity, new MoneyKitError(
                "link_session_error.forbidden_config", "A reconnect cannot revoke access already granted.", null));
        }

        foreach (var product in declinedProducts)
        {
            link.Products.Remove(product);
        }

        link.Accounts.RemoveAll(a => !accountIds.Contains(a.Id));
        link.Transactions.Purge(t => !accountIds.Contains(t.AccountId));
        session.Granted = true;
        Offer(session, link);
        return null;
    }

    private static IResult CompleteOAuth(LinkSession session, bool approve, LinkRegistry links, LinkWebhooks webhooks)
    {
        if (session.Step != ConnectStep.OAuth)
        {
            return WrongStep(session);
        }

        if (approve)
        {
            Succeed(session, links);
        }
        else
        {
            Fail(session, "user_oauth_denied", links, webhooks);
        }

        return Describe(session);
    }

    private static void StartInstitution(LinkSession session, SandboxInstitution institution, LinkRegistry links)
    {
        session.Institution = institution;
        switch (institution.Login)
        {
            case InstitutionLogin.Credentials:
                session.Step = ConnectStep.Credentials;
                break;
            case InstitutionLogin.OAuth:
                session.Step = ConnectStep.OAuth;
                break;
            default:
                Succeed(session, links); // Instant Bank: no questions, everything granted.
                break;
        }
    }

    /// <summary>Login succeeded: the link (new, or the reconnected one) waits for the token exchange.</summary>
    private static void Succeed(LinkSession session, LinkRegistry links)
    {
        var link = EnsureLink(session, links);
        lock (link.Gate)
        {
            link.State = LinkState.AwaitingTokenExchange;
            link.ErrorCode = null;
            if (session.ExistingLinkId is not null)
            {
                session.AddedProducts = [.. session.Products.Where(p => !link.Products.ContainsKey(p))];
                foreach (var product in session.AddedProducts)
                {
                    links.AddProduct(link, product, Prefetches(session, product));
                }
            }

            Offer(session, link);
        }

        session.ExchangeableToken = LinkSessions.NewToken("ext_");
        session.Step = ConnectStep.Complete;
    }

    private static void Fail(LinkSession session, string errorCode, LinkRegistry links, LinkWebhooks webhooks)
    {
        var link = EnsureLink(session, links);
        lock (link.Gate)
        {
            link.State = LinkState.Error;
            link.ErrorCode = errorCode;
            webhooks.SendStateChanged(link);
        }

        session.ErrorCode = errorCode;
        session.Step = ConnectStep.Failed;
    }

    private static SandboxLink EnsureLink(LinkSession session, LinkRegistry links)
    {
        if (session.LinkId is { } id && links.Find(id) is { } known)
        {
            return known;
        }

        SandboxLink link;
        if (session.ExistingLinkId is { } existingId && links.Find(existingId) is { } existing)
        {
            link = existing;
            lock (link.Gate)
            {
                // A reconnect drops webhook and tags that the new session leaves out (MoneyKit behaviour).
                link.Webhook = session.Webhook;
                link.LinkTags = session.LinkTags;
            }
        }
        else
        {
            link = links.Create(new LinkSpec(
                session.ClientId, session.CustomerUserId, session.Institution!, session.TestUser, session.Products, session.Webhook, session.LinkTags,
                links.DefaultPendingMode, LinkState.Connecting)
            {
                Prefetched = [.. session.Products.Where(p => Prefetches(session, p))],
            });
            session.AddedProducts = [.. session.Products];
        }

        session.LinkId = link.Id;
        return link;
    }

    /// <summary>Accounts are always fetched during Connect (the user picks from them); other products as the session says.</summary>
    private static bool Prefetches(LinkSession session, string product) =>
        product == SandboxProducts.Accounts
        || (session.Prefetch.TryGetValue(product, out var prefetch) ? prefetch : session.Institution?.Id == SandboxInstitution.InstantBankId);

    /// <summary>Shows the link's accounts and products on the session (the grant step's choices). Caller holds the link's lock.</summary>
    private static void Offer(LinkSession session, SandboxLink link)
    {
        session.Accounts = [.. link.Accounts.Select(a => new ConnectAccountWire(a.Id, a.Type, a.Name, a.Mask))];
        session.LinkProducts = [.. link.Products.Keys];
    }

    private static IResult WithSession(LinkSessions sessions, TimeProvider time, string token, Func<LinkSession, IResult> action)
    {
        var session = sessions.Find(token);
        if (session is null || session.ExpiresAt <= time.GetUtcNow())
        {
            return ErrorResult.NotFound("link_session_error.not_found", "Link session not found or expired.");
        }

        lock (session.Gate)
        {
            return action(session);
        }
    }

    private static ErrorResult WrongStep(LinkSession session) =>
        ErrorResult.Conflict("link_session_error.wrong_step", $"The session is at step '{StepName(session.Step)}'.");

    private static string StepName(ConnectStep step) => step switch
    {
        ConnectStep.Institution => "institution",
        ConnectStep.Credentials => "credentials",
        ConnectStep.Mfa => "mfa",
        ConnectStep.OAuth => "oauth",
        ConnectStep.Complete => "complete",
        ConnectStep.Exchanged => "exchanged",
        _ => "failed",
    };

    private static string? RedirectUrl(LinkSession session) =>
        session.RedirectUri is null || session.ExchangeableToken is null
            ? null
            : session.RedirectUri + (session.RedirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "exchangeable_token=" + Uri.EscapeDataString(session.ExchangeableToken);

    private static IResult Describe(LinkSession session)
    {
        return TypedResults.Json(
            new ConnectStepWire(
                StepName(session.Step),
                session.Institution?.Id,
                session.LinkId,
                session.Step == ConnectStep.Mfa ? CredentialsBankUsers.Challenge(session.TestUser!) : null,
                session.Step == ConnectStep.OAuth ? $"/sandbox/connect/{session.Token}/oauth/authorize" : null,
                session.Step == ConnectStep.Complete ? session.ExchangeableToken : null,
                session.Step == ConnectStep.Complete ? RedirectUrl(session) : null,
                session.ErrorCode,
                session.Step == ConnectStep.Complete ? session.Accounts : null,
                session.Step == ConnectStep.Complete ? session.LinkProducts : null),
            SandboxJsonContext.Default.ConnectStepWire);
    }
}
