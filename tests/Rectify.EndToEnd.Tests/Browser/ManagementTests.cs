using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Rectify.TestSupport;
using Rectify.Workflows.Notifications;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// Operating screens: a dead letter re-queued from the scheduler and outbox page, a person's notification preferences,
/// and a unit's calendar subscription link (create, copy, replace, revoke).
/// </summary>
public sealed class ManagementTests(FailFastApp app) : IClassFixture<FailFastApp>
{
    private static string Error(string field) => $"span[data-valmsg-for='{field}']";

    private static async Task<JsonElement> FirstPersonAsync(HttpClient api, string unit) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/people?unit={unit}")).GetProperty("items")[0];

    private static async Task<JsonElement?> WebhookMessageAsync(HttpClient api, string personId, string status)
    {
        var page = await api.GetFromJsonAsync<JsonElement>($"/api/notifications?recipient={personId}&channel=webhook&status={status}");
        return page.GetProperty("items").GetArrayLength() > 0 ? page.GetProperty("items")[0] : null;
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<JsonElement?>> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException(what);
    }

    [Fact]
    public async Task DeadLetter_RetryInBrowser_IsRequeuedAndDelivered()
    {
        // A message on the webhook channel to a person of 县水利局, urgent (no quiet hours): the port is closed, one attempt → dead.
        var api = await app.ApiAsAsync("admin", RectifyApp.AdminPassword);
        var person = await FirstPersonAsync(api, "slj");
        var personId = person.GetProperty("id").GetString()!;
        (await api.PutAsJsonAsync($"/api/people/{personId}/preferences", new { channels = new[] { "webhook" }, digest = false })).EnsureSuccessStatusCode();
        var item = (await api.GetFromJsonAsync<JsonElement>("/api/items?pageSize=1")).GetProperty("items")[0];
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using (var connection = await db.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await app.Services.GetRequiredService<INotificationOutbox>().EnqueueAsync(connection, tx, [new NotificationRequest(
                $"item:{item.GetProperty("id").GetString()}:escalation:urge:e2e",
                new EscalationMessage(new ItemRef(Guid.Parse(item.GetProperty("campaignId").GetString()!), Guid.Parse(item.GetProperty("id").GetString()!)), "urge", "", null),
                Guid.Parse(personId), now, true)], now, default);
            await tx.CommitAsync();
        }
        var dead = await WaitForAsync(() => WebhookMessageAsync(api, personId, "dead"), "the message did not die");
        dead.GetProperty("lastError").GetString()!.ShouldNotContain("render");

        // Now something listens on the webhook port; the retry from the page delivers.
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{app.WebhookPort}/");
        listener.Start();
        var delivered = listener.GetContextAsync();

        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        await s.GoAsync("/admin/outbox");
        var row = s.Page.Locator("[data-testid=dead-letters] tbody tr").Filter(new() { HasText = person.GetProperty("name").GetString()! });
        (await row.InnerTextAsync()).ShouldContain("Webhook");
        await s.ScreenshotAsync("admin-outbox-dead-letter");
        await row.GetByRole(AriaRole.Button, new() { Name = "重新发送" }).ClickAsync();
        (await s.TextAsync(".flash")).ShouldBe("已重新排队发送");

        var context = await delivered.WaitAsync(TimeSpan.FromSeconds(60));
        context.Request.Headers["X-Rectify-Delivery"].ShouldBe(dead.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Response.StatusCode = 204;
        context.Response.Close();
        var sent = await WaitForAsync(() => WebhookMessageAsync(api, personId, "sent"), "the API never showed the message sent");
        sent.GetProperty("id").GetInt64().ShouldBe(dead.GetProperty("id").GetInt64());
        (await WebhookMessageAsync(api, personId, "dead")).ShouldBeNull();
        await s.GoAsync("/admin/outbox");
        (await s.Page.Locator("[data-testid=dead-letters] tbody tr").Filter(new() { HasText = person.GetProperty("name").GetString()! }).CountAsync()).ShouldBe(0);
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Preferences_InvalidThenValid_ErrorsBesideFieldsThenSaved()
    {
        var api = await app.ApiAsAsync("admin", RectifyApp.AdminPassword);
        var personId = (await FirstPersonAsync(api, "czj")).GetProperty("id").GetString()!;
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        await s.GoAsync($"/admin/people?edit={personId}");
        var save = s.Page.GetByRole(AriaRole.Button, new() { Name = "保存通知偏好" });
        foreach (var box in await s.Page.Locator("input[name='Prefs.Channels']").AllAsync()) await box.UncheckAsync();
        await save.ClickAsync();
        (await s.TextAsync(Error("Prefs.Channels"))).ShouldBe("至少选择一个通道");

        await s.Page.GetByLabel("站内信").CheckAsync();
        await s.Page.GetByLabel("Webhook").CheckAsync();
        await s.Page.GetByLabel("每日汇总发送（非紧急通知）").CheckAsync();
        await s.Page.GetByLabel("免打扰开始").FillAsync("22:00");
        await save.ClickAsync();
        (await s.TextAsync(Error("Prefs.QuietEnd"))).ShouldBe("免打扰开始和结束时间需同时填写");
        await s.ScreenshotAsync("admin-preferences-errors");

        await s.Page.GetByLabel("免打扰结束").FillAsync("07:30");
        await save.ClickAsync();
        (await s.TextAsync(".flash")).ShouldBe("通知偏好已保存");
        (await s.Page.GetByLabel("Webhook").IsCheckedAsync()).ShouldBeTrue();
        (await s.Page.GetByLabel("邮件").IsCheckedAsync()).ShouldBeFalse();
        var saved = await api.GetFromJsonAsync<JsonElement>($"/api/people/{personId}/preferences");
        saved.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).Order().ShouldBe(["inbox", "webhook"]);
        saved.GetProperty("digest").GetBoolean().ShouldBeTrue();
        saved.GetProperty("quietStart").GetString().ShouldBe("22:00");
        saved.GetProperty("quietEnd").GetString().ShouldBe("07:30");
        saved.GetProperty("isDefault").GetBoolean().ShouldBeFalse();
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task CalendarLink_CreateCopyReplaceRevoke_OldUrlsStopWorking()
    {
        await using var s = await app.NewSessionAsync();
        await s.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = app.BaseUrl });
        await s.SignInAsync("fpb", RectifyApp.DemoPassword);
        await s.GoAsync("/items");
        await s.ClickAndWaitForPageAsync(s.Page.GetByTestId("calendar-feed"), url => url.EndsWith("/calendar-feed", StringComparison.Ordinal));
        var unit = s.Page.GetByTestId("feed-unit");
        (await unit.GetByTestId("feed-unit-status").InnerTextAsync()).ShouldContain("未启用");

        await unit.GetByRole(AriaRole.Button, new() { Name = "生成订阅链接" }).ClickAsync();
        (await s.TextAsync(".flash")).ShouldBe("新的订阅链接已生成，原链接已失效");
        var first = await unit.GetByLabel("订阅链接（仅显示这一次，请复制保存）").InputValueAsync();
        first.ShouldContain("/api/units/fpb/deadlines.ics?token=");
        await unit.GetByRole(AriaRole.Button, new() { Name = "复制" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(unit.GetByRole(AriaRole.Button, new() { Name = "已复制" })).ToBeVisibleAsync();
        (await s.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).ShouldBe(first);
        await s.ScreenshotAsync("calendar-feed");

        // A calendar app has no cookie: the token alone opens the feed.
        using var calendarApp = new HttpClient();
        (await calendarApp.GetStringAsync(first)).ShouldContain("BEGIN:VCALENDAR");

        await unit.GetByRole(AriaRole.Button, new() { Name = "更换订阅链接" }).ClickAsync();
        (await s.TextAsync(".flash")).ShouldBe("新的订阅链接已生成，原链接已失效");
        var second = await unit.GetByTestId("feed-url").InputValueAsync();
        second.ShouldNotBe(first);
        (await calendarApp.GetAsync(first)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await calendarApp.GetStringAsync(second)).ShouldContain("BEGIN:VCALENDAR");
        // The URL is shown once only.
        await s.GoAsync("/calendar-feed");
        (await s.Page.GetByTestId("feed-url").CountAsync()).ShouldBe(0);
        (await unit.GetByTestId("feed-unit-status").InnerTextAsync()).ShouldContain("已启用");

        await unit.GetByRole(AriaRole.Button, new() { Name = "停用订阅链接" }).ClickAsync();
        (await s.TextAsync(".flash")).ShouldBe("订阅链接已停用");
        (await calendarApp.GetAsync(second)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var api = await app.ApiAsAsync("fpb", RectifyApp.DemoPassword);
        (await api.GetFromJsonAsync<JsonElement>("/api/units/fpb/calendar-feed")).GetProperty("subscribed").GetBoolean().ShouldBeFalse();
        (await A11y.CheckAsync(s.Page)).ShouldBeEmpty();
        s.ShouldHaveNoConsoleErrors();
    }
}
