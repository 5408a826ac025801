using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace MoneyKitBridge.Browser.Tests.Hosting;

/// <summary>
/// A page in its own browser context that records every console error and uncaught page error; disposing it fails the
/// test when there was one (so every page test asserts a clean console), then closes the context.
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly ConcurrentQueue<string> errors = new();

    private BrowserPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue($"console error on {message.Location}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Enqueue("uncaught page error: " + error);
    }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Errors => errors;

    public static async Task<BrowserPage> OpenAsync(IBrowserContext context) => new(context, await context.NewPageAsync());

    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
        await context.DisposeAsync();
        Assert.True(errors.IsEmpty, "The page logged errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
    }
}
