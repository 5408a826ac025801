using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Institutions;
using MoneyKit.Sandbox.Links;
using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox.Connect;

/// <summary>
/// The one Connect flow engine, driven by both the headless JSON surface (<see cref="ConnectEndpoints"/>) and the HTML
/// Connect UI (<see cref="ConnectPages"/>): institution → credentials → MFA (Credentials Bank), OAuth consent (OAuth Bank),
/// or nothing (Instant Bank); then the optional grant step; or a failure / cancellation. Every step method expects the
/// caller to hold the session's lock (<see cref="WithSession"/> takes it) and answers null on success or the MoneyKit error.
/// </summary>
internal sealed class ConnectFlow(LinkSessions sessions, LinkRegistry links, LinkWebhooks webhooks, TimeProvider time)
{
    /// <summary>The error code a session ends with when the user leaves Connect.</summary>
    public const string CancelledErrorCode = "user_cancelled";

    /// <summary>Runs <paramref name="action"/> under the lock of the open session <paramref name="token"/>, else answers <paramref name="notFound"/>.</summary>
    public IResult WithSession(string token, Func<LinkSession, IResult> action, Func<IResult>? notFound = null)
    {
        var session = sessions.Find(token);
        if (session is null || session.ExpiresAt <= time.GetUtcNow())
        {
            return notFound?.Invoke() ?? ErrorResult.NotFound("link_session_error.not_found", "Link session not found or expired.");
        }

        lock (session.Gate)
        {
            return action(session);
        }
    }

    public ErrorResult? ChooseInstitution(LinkSession session, string? institutionId)
    {
        if (session.Step != ConnectStep.Institution)
        {
            return WrongStep(session);
        }

        if (SandboxInstitution.Find(institutionId) is not { } institution)
        {
            return ErrorResult.NotFound("institution_error.not_found", "Institution not found.");
        }

        Start(session, institution);
        return null;
    }

    /// <summary>Moves a session whose institution is known to that institution's login step (Instant Bank: straight to complete).</summary>
    public void Start(LinkSession session, SandboxInstitution institution)
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
                Succeed(session); // Instant Bank: no questions, everything granted.
                break;
        }
    }

    /// <summary>Credentials Bank login: a known test user logs in (or meets its MFA challenge); anything else fails the session.</summary>
    public ErrorResult? SubmitCredentials(LinkSession session, string? username, string? password)
    {
        if (session.Step != ConnectStep.Credentials)
        {
            return WrongStep(session);
        }

        var user = CredentialsBankUsers.Resolve(username ?? string.Empty, password ?? string.Empty);
        if (user is null)
        {
            Fail(session, "invalid_credentials");
            return null;
        }

        session.TestUser = user;
        if (CredentialsBankUsers.Challenge(user) is not null)
        {
            session.Step = ConnectStep.Mfa;
        }
        else
        {
            Succeed(session);
        }

        return null;
    }

    public ErrorResult? AnswerMfa(LinkSession session, IReadOnlyList<string> answers)
    {
        if (session.Step != ConnectStep.Mfa)
        {
            return WrongStep(session);
        }

        if (CredentialsBankUsers.Accepts(session.TestUser!, answers))
        {
            Succeed(session);
        }
        else
        {
            Fail(session, "user_input_incorrect");
        }

        return null;
    }

    public ErrorResult? AnswerOAuth(LinkSession session, bool approve)
    {
        if (session.Step != ConnectStep.OAuth)
        {
            return WrongStep(session);
        }

        if (approve)
        {
            Succeed(session);
        }
        else
        {
            Fail(session, "user_oauth_denied");
        }

        return null;
    }

    /// <summary>The grant step: narrows the accounts and products of the link waiting for its token exchange (null lists: all of them).</summary>
    public ErrorResult? Grant(LinkSession session, IReadOnlyList<string>? accountIds, IReadOnlyList<string>? products)
    {
        if (session.Step != ConnectStep.Complete || session.Granted || links.Find(session.LinkId!) is not { } link)
        {
            return session.Granted
                ? ErrorResult.Conflict("link_session_error.wrong_step", "Access was already granted for this session.")
                : WrongStep(session);
        }

        lock (link.Gate)
        {
            return Grant(session, link, accountIds, products);
        }
    }

    /// <summary>The user leaves Connect before the app got its token: the session ends with <see cref="CancelledErrorCode"/>.</summary>
    public static ErrorResult? Cancel(LinkSession session)
    {
        if (session.Step is ConnectStep.Exchanged or ConnectStep.Failed || (session.Step == ConnectStep.Complete && session.Granted))
        {
            return WrongStep(session);
        }

        session.ExchangeableToken = null;
        session.ErrorCode = CancelledErrorCode;
        session.Step = ConnectStep.Failed;
        return null;
    }

    public static ErrorResult WrongStep(LinkSession session) =>
        ErrorResult.Conflict("link_session_error.wrong_step", $"The session is at step '{StepName(session.Step)}'.");

    public static string StepName(ConnectStep step) => step switch
    {
        ConnectStep.Institution => "institution",
        ConnectStep.Credentials => "credentials",
        ConnectStep.Mfa => "mfa",
        ConnectStep.OAuth => "oauth",
        ConnectStep.Complete => "complete",
        ConnectStep.Exchanged => "exchanged",
        _ => "failed",
    };

    /// <summary>Where Connect sends the user back to the app: <c>redirect_uri</c> with the exchangeable token, or with the error once the session failed.</summary>
    public static string? RedirectUrl(LinkSession session)
    {
        if (session.RedirectUri is null)
        {
            return null;
        }

        var separator = session.RedirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return session switch
        {
            { Step: ConnectStep.Complete, ExchangeableToken: { } token } => session.RedirectUri + separator + "exchangeable_token=" + Uri.EscapeDataString(token),
            { Step: ConnectStep.Failed, ErrorCode: { } error } => session.RedirectUri + separator + "error=" + Uri.EscapeDataString(error),
            _ => null,
        };
    }

    /// <summary>Applies the user's grant to the link waiting for its token exchange. Caller holds both locks.</summary>
    private static ErrorResult? Grant(LinkSession session, SandboxLink link, IReadOnlyList<string>? grantAccounts, IReadOnlyList<string>? grantProducts)
    {
        var accountIds = grantAccounts?.ToHashSet(StringComparer.Ordinal) ?? [.. link.Accounts.Select(a => a.Id)];
        if (accountIds.Count == 0)
        {
            return ErrorResult.Validation("account_ids", "Grant at least one account.");
        }

        if (accountIds.FirstOrDefault(id => link.Accounts.All(a => a.Id != id)) is { } unknownAccount)
        {
            return ErrorResult.Validation("account_ids", $"Account '{unknownAccount}' is not an account of this login.");
        }

        var products = grantProducts?.ToHashSet(StringComparer.Ordinal) ?? [.. link.Products.Keys];
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

    /// <summary>Login succeeded: the link (new, or the reconnected one) waits for the token exchange.</summary>
    private void Succeed(LinkSession session)
    {
        var link = EnsureLink(session);
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

    private void Fail(LinkSession session, string errorCode)
    {
        var link = EnsureLink(session);
        lock (link.Gate)
        {
            link.State = LinkState.Error;
            link.ErrorCode = errorCode;
            webhooks.SendStateChanged(link);
        }

        session.ErrorCode = errorCode;
        session.Step = ConnectStep.Failed;
    }

    private SandboxLink EnsureLink(LinkSession session)
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
}
