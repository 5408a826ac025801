using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace MoneyKitBridge.Demo.Demo;

/// <summary>
/// Who uses the page. A real app has its own sign-in; the demo gives each browser a random user id in a cookie
/// (<c>?user=NAME</c> on the page picks one instead), which becomes the bridge's <c>customer_user.id</c>.
/// </summary>
public static partial class DemoUser
{
    private const string CookieName = "demo_user";

    /// <summary>The request's user, assigning a new one (and its cookie) on the first visit.</summary>
    public static string Of(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var known) && IsValid(known))
        {
            return known;
        }

        return Assign(context, "user-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
    }

    /// <summary>Makes <paramref name="user"/> the browser's user.</summary>
    public static string Assign(HttpContext context, string user)
    {
        context.Response.Cookies.Append(CookieName, user, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Path = "/" });
        context.Items[CookieName] = user;
        return user;
    }

    public static bool IsValid(string? user) => user is not null && UserPattern().IsMatch(user);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex UserPattern();
}
