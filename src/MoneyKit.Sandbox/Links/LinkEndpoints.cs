using System.Text.Json;
using MoneyKit.Sandbox.Api;
using MoneyKit.Sandbox.Webhooks;

namespace MoneyKit.Sandbox.Links;

/// <summary><c>GET/PATCH/DELETE /links/{id}</c> and <c>POST /links/{id}/reset</c>.</summary>
internal static class LinkEndpoints
{
    public static void MapLinkEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/links/{id}", GetLink);
        api.MapPatch("/links/{id}", PatchLinkAsync);
        api.MapDelete("/links/{id}", DeleteLink);
        api.MapPost("/links/{id}/reset", ResetLink);
    }

    private static IResult GetLink(string id, HttpContext context, LinkRegistry links)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        lock (link!.Gate)
        {
            return TypedResults.Json(link.ToWire(), SandboxJsonContext.Default.LinkWire);
        }
    }

    private static async Task<IResult> PatchLinkAsync(string id, HttpContext context, LinkRegistry links, CancellationToken cancellationToken)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        var (body, bodyError) = await JsonBody.ReadAsync(context.Request, SandboxJsonContext.Default.PatchLinkRequest, null, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        string? webhook = null;
        var value = body!.Webhook;
        var changeWebhook = value.ValueKind != JsonValueKind.Undefined;
        if (changeWebhook)
        {
            if (value.ValueKind == JsonValueKind.String && WebhookUrls.IsValid(value.GetString()))
            {
                webhook = value.GetString();
            }
            else if (value.ValueKind != JsonValueKind.Null)
            {
                return ErrorResult.Validation("webhook", "webhook must be an absolute http(s) URL or null.");
            }
        }

        lock (link!.Gate)
        {
            if (link.State == LinkState.Deleted)
            {
                return ErrorResult.LinkDeleted();
            }

            if (changeWebhook)
            {
                link.Webhook = webhook;
            }

            if (body.LinkTags is { } tags)
            {
                link.LinkTags = [.. tags];
            }

            return TypedResults.Json(link.ToWire(), SandboxJsonContext.Default.LinkWire);
        }
    }

    private static IResult DeleteLink(string id, HttpContext context, LinkRegistry links, LinkWebhooks webhooks)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        lock (link!.Gate)
        {
            if (link.State == LinkState.Deleted)
            {
                return ErrorResult.LinkDeleted();
            }

            LinkDeletion.Delete(link, webhooks);
            return TypedResults.NoContent();
        }
    }

    private static IResult ResetLink(string id, HttpContext context, LinkRegistry links, LinkWebhooks webhooks)
    {
        var (link, error) = LinkAccess.Find(links, context, id);
        if (error is not null)
        {
            return error;
        }

        lock (link!.Gate)
        {
            if (link.State == LinkState.Deleted)
            {
                return ErrorResult.LinkDeleted();
            }

            link.State = LinkState.Error;
            link.ErrorCode = "auth_expired";
            webhooks.SendStateChanged(link);
            return TypedResults.Json(link.ToWire(), SandboxJsonContext.Default.LinkWire);
        }
    }
}
