using Microsoft.Playwright;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>One signed-in (or not) browser session, collecting every console error and uncaught page error.</summary>
public sealed class UiSession : IAsyncDisposable
{
    private readonly List<string> errors = [];

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    /// <summary>Console errors and uncaught page errors seen so far (CSP violations show up here too).</summary>
    public IReadOnlyList<string> Errors => errors;

    public UiSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            // A page that answers 403/404 on purpose makes Chromium log the status; that is the page, not an error in it.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource: the server responded with a status of 40", StringComparison.Ordinal))
                errors.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => errors.Add($"{page.Url}: {error}");
        // Confirmation dialogs (data-confirm) are answered yes, as the person clicking the button would.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
    }

    public async Task<IResponse> GoAsync(string path)
    {
        var response = await Page.GotoAsync(path);
        return response ?? throw new InvalidOperationException($"no response for {path}");
    }

    public async Task SignInAsync(string userName, string password)
    {
        await GoAsync("/login");
        await Page.GetByLabel("用户名").FillAsync(userName);
        await Page.GetByLabel("密码").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        try
        {
            // The landing page's DOM is enough; its images and styles need not have finished loading.
            await Page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        }
        catch (TimeoutException e)
        {
            // Say what the page showed instead of only that it did not move on (a slow machine, an error, a lockout).
            var shown = await Page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(unreadable)");
            throw new TimeoutException($"{userName} did not get past sign-in: still on {Page.Url}, page says: {shown.Trim()}", e);
        }
    }

    /// <summary>Opens the action form of an item event (a details element), fills it and submits it.</summary>
    public async Task SendItemEventAsync(string eventType, string? note = null, string? newDeadline = null, params string[] files)
    {
        var action = Page.Locator($"details[data-event='{eventType}']");
        if (await action.GetAttributeAsync("open") is null) await action.Locator("summary").ClickAsync();
        if (newDeadline is not null) await action.Locator("input[type=date]").FillAsync(newDeadline);
        if (note is not null) await action.Locator("textarea").FillAsync(note);
        if (files.Length > 0) await action.Locator("input[type=file]").SetInputFilesAsync(files);
        await action.Locator("button[type=submit]").ClickAsync();
        await Page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    public async Task<string> TextAsync(string selector) => (await Page.Locator(selector).First.InnerTextAsync()).Trim();

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserApp.ScreenshotDirectory, name + ".png"), FullPage = true });

    public void ShouldHaveNoConsoleErrors() => errors.ShouldBeEmpty();

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
