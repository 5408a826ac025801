namespace MoneyKit.Sandbox.Connect;

internal sealed class LinkSessions;
