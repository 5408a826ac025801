using Microsoft.AspNetCore.Http.HttpResults;
using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Connect;

/// <summary>
/// The Connect UI a person clicks through, as server-rendered HTML forms under <c>/connect/{link_session_token}</c>: every
/// form posts one answer to the shared <see cref="ConnectFlow"/> and is answered with a redirect (back to the page of the
/// session's current step, or to the session's <c>redirect_uri</c> once the flow ends with a token or is cancelled).
/// Self-contained: no script, no external style or font.
/// </summary>
internal static class ConnectPages
{
    public static void MapConnectPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/connect/{token}").ExcludeFromDescription();
        pages.MapGet(string.Empty, Show);
        pages.MapPost("/institution", (string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken) =>
            AnswerAsync(token, context, flow, (session, form) => flow.ChooseInstitution(session, form["institution_id"].FirstOrDefault()), cancellationToken));
        pages.MapPost("/credentials", (string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken) =>
            AnswerAsync(token, context, flow, (session, form) => flow.SubmitCredentials(session, form["username"].FirstOrDefault(), form["password"].FirstOrDefault()), cancellationToken));
        pages.MapPost("/mfa", (string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken) =>
            AnswerAsync(token, context, flow, (session, form) => flow.AnswerMfa(session, [.. form["answer"].Select(a => a ?? string.Empty)]), cancellationToken));
        pages.MapPost("/oauth", (string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken) =>
            AnswerAsync(token, context, flow, (session, form) => flow.AnswerOAuth(session, form["decision"] == "approve"), cancellationToken));
        pages.MapPost("/grant", (string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken) =>
            AnswerAsync(token, context, flow, (session, form) => flow.Grant(session, [.. form["account_id"].OfType<string>()], [.. form["product"].OfType<string>()]), cancellationToken));
        pages.MapPost("/cancel", (string token, HttpContext context, ConnectFlow flow, CancellationToken cancellationToken) =>
            AnswerAsync(token, context, flow, (session, _) => ConnectFlow.Cancel(session), cancellationToken));
    }

    private static IResult Show(string token, string? q, ConnectFlow flow) =>
        flow.WithSession(token, session => Html(ConnectHtml.Step(session, error: null, search: q)), NotFound);

    private static async Task<IResult> AnswerAsync(
        string token, HttpContext context, ConnectFlow flow, Func<LinkSession, IFormCollection, ErrorResult?> answer, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : FormCollection.Empty;
        }
        catch (InvalidDataException)
        {
            // Not a form a browser would send (malformed or over the form limits): refused, the session unchanged.
            return TypedResults.Content(ConnectHtml.BadForm(), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        return flow.WithSession(token, session =>
        {
            var before = session.Step;
            if (answer(session, form) is { } error)
            {
                // A stale page (another tab, the back button) shows where the session is now; a refused answer stays on its step.
                return error.Status == StatusCodes.Status409Conflict ? SeeOther(PagePath(session)) : Html(ConnectHtml.Step(session, error.Error.ErrorMessage, search: null));
            }

            var leaves = (session.Step == ConnectStep.Complete && session.Granted) || (session.Step == ConnectStep.Failed && before != ConnectStep.Failed && session.ErrorCode == ConnectFlow.CancelledErrorCode);
            return leaves && ConnectFlow.RedirectUrl(session) is { } redirect ? SeeOther(redirect) : SeeOther(PagePath(session));
        }, NotFound);
    }

    public static string PagePath(LinkSession session) => "/connect/" + Uri.EscapeDataString(session.Token);

    private static SeeOtherResult SeeOther(string location) => new SeeOtherResult(location);

    private static IResult NotFound() => TypedResults.Content(ConnectHtml.NotFound(), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);

    private static ContentHttpResult Html(string html) => TypedResults.Content(html, "text/html; charset=utf-8");

    /// <summary>303 See Other: the browser follows a form post with a GET.</summary>
    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
