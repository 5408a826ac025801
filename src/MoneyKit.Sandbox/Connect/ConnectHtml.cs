using System.Text;
using System.Text.Encodings.Web;
using MoneyKit.Sandbox.Data;
using MoneyKit.Sandbox.Institutions;

namespace MoneyKit.Sandbox.Connect;

/// <summary>Renders the Connect UI's pages: one page per step of a <see cref="LinkSession"/>, labelled forms only, inline style.</summary>
internal static class ConnectHtml
{
    private const string Style = """
        :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; }
        body { margin: 0; display: flex; justify-content: center; }
        main { background: #fff; margin: 2rem 1rem; padding: 1.5rem 2rem; border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.15); width: 100%; max-width: 26rem; }
        h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
        .brand { color: #57606a; font-size: .85rem; margin: 0 0 1rem; }
        label, legend { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
        input[type=text], input[type=password], input[type=search] { box-sizing: border-box; width: 100%; padding: .5rem; font-size: 1rem; border: 1px solid #8c959f; border-radius: 6px; }
        fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: .75rem 0; padding: .25rem .75rem .75rem; }
        fieldset label { font-weight: 400; display: flex; gap: .5rem; align-items: center; margin: .4rem 0; }
        button { font-size: 1rem; padding: .55rem 1rem; border-radius: 6px; border: 1px solid #1f6feb; background: #1f6feb; color: #fff; cursor: pointer; margin-top: 1rem; }
        button.secondary { background: #fff; color: #1f2328; border-color: #8c959f; }
        button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #bf8700; outline-offset: 2px; }
        ul.banks { list-style: none; padding: 0; margin: .5rem 0; }
        ul.banks button { width: 100%; text-align: left; background: #fff; color: #1f2328; border-color: #d0d7de; margin-top: .5rem; display: flex; gap: .75rem; align-items: center; }
        .dot { width: 1rem; height: 1rem; border-radius: 50%; display: inline-block; }
        .hint { color: #57606a; font-size: .85rem; }
        .error { background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: .5rem .75rem; }
        .row { display: flex; gap: .5rem; flex-wrap: wrap; }
        code { word-break: break-all; }
        """;

    /// <summary>The page of the session's current step; <paramref name="error"/> is a refused answer to show on it.</summary>
    public static string Step(LinkSession session, string? error, string? search)
    {
        var body = new StringBuilder();
        if (error is not null)
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(E(error)).Append("</p>");
        }

        var (title, content) = session.Step switch
        {
            ConnectStep.Institution => ("Select your bank", Institutions(session, search)),
            ConnectStep.Credentials => ($"Log in to {session.Institution!.Name}", Credentials(session)),
            ConnectStep.Mfa => ("Verify it's you", Mfa(session)),
            ConnectStep.OAuth => ($"{session.Institution!.Name}: authorize access", OAuth(session)),
            ConnectStep.Complete when !session.Granted => ("Choose what to share", Grant(session)),
            ConnectStep.Complete => ("You're connected", Done(session)),
            ConnectStep.Exchanged => ("You're connected", "<p>This Connect session is finished. You can close this page.</p>"),
            _ => ("Connection failed", Failed(session)),
        };
        body.Append(content);
        if (session.Step is not (ConnectStep.Complete or ConnectStep.Exchanged or ConnectStep.Failed) || (session.Step == ConnectStep.Complete && !session.Granted))
        {
            body.Append(Form(session, "cancel", "<button type=\"submit\" class=\"secondary\">Cancel and return to the app</button>"));
        }

        return Page(title, body.ToString());
    }

    public static string BadForm() =>
        Page("Connect could not read the form", "<p>The answer could not be read. Go back and send the form again.</p>");

    public static string NotFound() =>
        Page("Connect session not found", "<p>This link session does not exist or has expired. Start again from the app.</p>");

    private static string Institutions(LinkSession session, string? search)
    {
        var query = search?.Trim() ?? string.Empty;
        var matches = SandboxInstitution.All.Where(i => i.Name.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList();
        var html = new StringBuilder()
            .Append("<form method=\"get\" action=\"").Append(E(ConnectPages.PagePath(session))).Append("\" role=\"search\">")
            .Append("<label for=\"q\">Search institutions</label><div class=\"row\">")
            .Append("<input type=\"search\" id=\"q\" name=\"q\" value=\"").Append(E(query)).Append("\" autofocus>")
            .Append("<button type=\"submit\">Search</button></div></form>");
        if (matches.Count == 0)
        {
            return html.Append("<p role=\"status\">No institution matches \u201c").Append(E(query)).Append("\u201d.</p>").ToString();
        }

        var list = new StringBuilder("<ul class=\"banks\" aria-label=\"Institutions\">");
        foreach (var institution in matches)
        {
            list.Append("<li><button type=\"submit\" name=\"institution_id\" value=\"").Append(E(institution.Id)).Append("\">")
                .Append("<span class=\"dot\" aria-hidden=\"true\" style=\"background:").Append(E(institution.Color)).Append("\"></span>")
                .Append(E(institution.Name)).Append("</button></li>");
        }

        return html.Append(Form(session, "institution", list.Append("</ul>").ToString())).ToString();
    }

    private static string Credentials(LinkSession session) => Form(session, "credentials", """
        <p class="hint">Sandbox users: user_good / pass_good, user_good / mfa_device, user_good / mfa_question, user_good / mfa_selections, user_1 / pass_good, user_2 / pass_good. Anything else fails.</p>
        <label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" autofocus required>
        <label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
        <button type="submit">Log in</button>
        """);

    private static string Mfa(LinkSession session)
    {
        var challenge = CredentialsBankUsers.Challenge(session.TestUser!)!;
        var html = new StringBuilder();
        var index = 0;
        foreach (var question in challenge.Questions)
        {
            var id = "answer" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var focus = index++ == 0 ? " autofocus" : string.Empty;
            if (question.Options is { } options)
            {
                html.Append("<fieldset><legend>").Append(E(question.Prompt)).Append("</legend>");
                var optionIndex = 0;
                foreach (var option in options)
                {
                    var optionId = id + "-" + optionIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    html.Append("<label for=\"").Append(optionId).Append("\"><input type=\"radio\" id=\"").Append(optionId).Append("\" name=\"answer\" value=\"")
                        .Append(E(option)).Append("\" required").Append(optionIndex++ == 0 ? focus : string.Empty).Append('>').Append(E(option)).Append("</label>");
                }

                html.Append("</fieldset>");
            }
            else
            {
                var otp = challenge.Type == "otp" ? " inputmode=\"numeric\" autocomplete=\"one-time-code\"" : " autocomplete=\"off\"";
                html.Append("<label for=\"").Append(id).Append("\">").Append(E(question.Prompt)).Append("</label>")
                    .Append("<input type=\"text\" id=\"").Append(id).Append("\" name=\"answer\" required").Append(otp).Append(focus).Append('>');
            }
        }

        return Form(session, "mfa", html.Append("<button type=\"submit\">Submit</button>").ToString());
    }

    private static string OAuth(LinkSession session) => Form(session, "oauth", $"""
        <p>You are on <strong>{E(session.Institution!.Name)}</strong>'s own site. The app asks to read your accounts through MoneyKit.</p>
        <p class="hint">Sandbox: approve to connect, deny to see how the app handles a refusal.</p>
        <div class="row"><button type="submit" name="decision" value="approve" autofocus>Approve</button>
        <button type="submit" name="decision" value="deny" class="secondary">Deny</button></div>
        """);

    private static string Grant(LinkSession session)
    {
        var html = new StringBuilder("<p>Choose the accounts and the data the app may read.</p><fieldset><legend>Accounts</legend>");
        var index = 0;
        foreach (var account in session.Accounts ?? [])
        {
            var id = "account" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            html.Append("<label for=\"").Append(id).Append("\"><input type=\"checkbox\" id=\"").Append(id).Append("\" name=\"account_id\" value=\"")
                .Append(E(account.AccountId)).Append("\" checked").Append(index++ == 0 ? " autofocus" : string.Empty).Append('>')
                .Append(E(account.Name)).Append(" \u2022\u2022").Append(E(account.AccountMask)).Append(" <span class=\"hint\">(").Append(E(account.AccountType)).Append(")</span></label>");
        }

        html.Append("</fieldset><fieldset><legend>Data</legend><p class=\"hint\">Account names and balances are always shared.</p>");
        foreach (var product in (session.LinkProducts ?? []).Where(p => p != SandboxProducts.Accounts))
        {
            var id = "product-" + product;
            var declinable = session.AddedProducts.Contains(product);
            html.Append("<label for=\"").Append(E(id)).Append("\"><input type=\"checkbox\" id=\"").Append(E(id)).Append("\" name=\"product\" value=\"")
                .Append(E(product)).Append("\" checked").Append(declinable ? string.Empty : " disabled").Append('>').Append(E(ProductName(product))).Append("</label>");
            if (!declinable)
            {
                html.Append("<input type=\"hidden\" name=\"product\" value=\"").Append(E(product)).Append("\">");
            }
        }

        return Form(session, "grant", html.Append("</fieldset><button type=\"submit\">Share and continue</button>").ToString());
    }

    private static string Done(LinkSession session) =>
        ConnectFlow.RedirectUrl(session) is { } redirect
            ? $"<p>Access granted.</p><p><a href=\"{E(redirect)}\" autofocus>Return to the app</a></p>"
            : $"<p>Access granted. The app exchanges this token for the link:</p><p><code>{E(session.ExchangeableToken ?? string.Empty)}</code></p>";

    private static string Failed(LinkSession session)
    {
        var message = session.ErrorCode switch
        {
            "invalid_credentials" => "The username or password is incorrect.",
            "user_input_incorrect" => "The answer to the security question is incorrect.",
            "user_oauth_denied" => "You denied access at the bank.",
            ConnectFlow.CancelledErrorCode => "You cancelled the connection.",
            _ => "The connection failed.",
        };
        var html = new StringBuilder("<p class=\"error\" role=\"alert\">").Append(E(message))
            .Append(" <span class=\"hint\">(").Append(E(session.ErrorCode ?? "error")).Append(")</span></p>");
        if (ConnectFlow.RedirectUrl(session) is { } redirect)
        {
            html.Append("<p><a href=\"").Append(E(redirect)).Append("\" autofocus>Return to the app</a></p>");
        }

        return html.ToString();
    }

    private static string ProductName(string product) => product switch
    {
        SandboxProducts.Transactions => "Transactions",
        SandboxProducts.AccountNumbers => "Account and routing numbers",
        SandboxProducts.Identity => "Identity (name, address, email, phone)",
        _ => product,
    };

    private static string Form(LinkSession session, string action, string content) =>
        $"<form method=\"post\" action=\"{E(ConnectPages.PagePath(session))}/{action}\">{content}</form>";

    private static string Page(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>{E(title)} · MoneyKit Connect (sandbox)</title>
        <style>{Style}</style>
        </head>
        <body>
        <main>
        <p class="brand">MoneyKit Connect · sandbox</p>
        <h1>{E(title)}</h1>
        {body}
        </main>
        </body>
        </html>
        """;

    private static string E(string value) => HtmlEncoder.Default.Encode(value);
}
