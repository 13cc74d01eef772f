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
        try
        {
            await ClickAndWaitForPageAsync(Page.GetByRole(AriaRole.Button, new() { Name = "登录" }));
        }
        catch (TimeoutException e)
        {
            // Say what the page showed instead of only that it did not move on (a slow machine, an error, a lockout).
            throw new TimeoutException($"{userName} did not get past sign-in: still on {Page.Url}, page says: {await ShownTextAsync()}", e);
        }
        if (Page.Url.Contains("/login", StringComparison.Ordinal))
            throw new InvalidOperationException($"{userName} was not signed in: {Page.Url}, page says: {await ShownTextAsync()}");
    }

    /// <summary>
    /// Clicks a link or submit button and waits until the page it leads to has its DOM. The wait is registered before the
    /// click, so a fast navigation cannot finish before it is watched (waiting afterwards for a URL or a load state can miss
    /// it, or return at once for the page that is being left).
    /// </summary>
    public async Task ClickAndWaitForPageAsync(ILocator target)
    {
        // Obsolete in favour of WaitForURL, which needs the target URL in advance and is the wait that raced here.
#pragma warning disable CS0612
        await Page.RunAndWaitForNavigationAsync(() => target.ClickAsync(), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
#pragma warning restore CS0612
    }

    /// <summary>As <see cref="ClickAndWaitForPageAsync(ILocator)"/>, then checks the page it landed on.</summary>
    public async Task ClickAndWaitForPageAsync(ILocator target, System.Text.RegularExpressions.Regex expectedUrl)
    {
        await ClickAndWaitForPageAsync(target);
        await Assertions.Expect(Page).ToHaveURLAsync(expectedUrl);
    }

    /// <inheritdoc cref="ClickAndWaitForPageAsync(ILocator, System.Text.RegularExpressions.Regex)"/>
    public async Task ClickAndWaitForPageAsync(ILocator target, string expectedUrl)
    {
        await ClickAndWaitForPageAsync(target);
        await Assertions.Expect(Page).ToHaveURLAsync(expectedUrl);
    }

    /// <inheritdoc cref="ClickAndWaitForPageAsync(ILocator, System.Text.RegularExpressions.Regex)"/>
    public async Task ClickAndWaitForPageAsync(ILocator target, Func<string, bool> expectedUrl)
    {
        await ClickAndWaitForPageAsync(target);
        expectedUrl(Page.Url).ShouldBeTrue($"landed on {Page.Url}");
    }

    private async Task<string> ShownTextAsync() =>
        (await Page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(unreadable)")).Trim();

    /// <summary>Opens the action form of an item event (a details element), fills it and submits it.</summary>
    public async Task SendItemEventAsync(string eventType, string? note = null, string? newDeadline = null, params string[] files)
    {
        var action = Page.Locator($"details[data-event='{eventType}']");
        if (await action.GetAttributeAsync("open") is null) await action.Locator("summary").ClickAsync();
        if (newDeadline is not null) await action.Locator("input[type=date]").FillAsync(newDeadline);
        if (note is not null) await action.Locator("textarea").FillAsync(note);
        if (files.Length > 0) await action.Locator("input[type=file]").SetInputFilesAsync(files);
        await ClickAndWaitForPageAsync(action.Locator("button[type=submit]"));
    }

    public async Task<string> TextAsync(string selector) => (await Page.Locator(selector).First.InnerTextAsync()).Trim();

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserApp.ScreenshotDirectory, name + ".png"), FullPage = true });

    public void ShouldHaveNoConsoleErrors() => errors.ShouldBeEmpty();

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
