using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>An item that runs past its deadline reaches the supervision office's inbox once the clock moves on.</summary>
public sealed class SupervisionTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task OverdueItem_ClockMovedPastDeadline_ShowsInSupervisionInbox()
    {
        // Set-up through the API (not what this test is about): a launched campaign with one item due in two days.
        var office = await app.ApiAsAsync("lgo", RectifyApp.DemoPassword);
        var created = await office.PostAsJsonAsync("/api/campaigns", new
        {
            title = "农村饮水安全问题整改", issuedByUnit = "lgo", supervisionUnit = "dcs", workflow = new { id = "rectification-campaign" },
        });
        created.EnsureSuccessStatusCode();
        var campaignId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await office.PostAsJsonAsync($"/api/campaigns/{campaignId}/items", new
        {
            title = "部分自然村饮水工程水质不达标", leadUnit = "slj", units = new[] { "zfz" }, deadline = app.Today.AddDays(2).ToString("yyyy-MM-dd"),
        })).EnsureSuccessStatusCode();
        (await office.PostAsync($"/api/campaigns/{campaignId}/launch", null)).EnsureSuccessStatusCode();

        await using var supervisor = await app.NewSessionAsync();
        await supervisor.SignInAsync("dcs", RectifyApp.DemoPassword);
        await supervisor.GoAsync("/supervision");
        (await supervisor.Page.Locator("body").InnerTextAsync()).ShouldNotContain("部分自然村饮水工程水质不达标");

        // The administrator moves the clock three weeks on through the clock page; timers fire before the page answers.
        await using var admin = await app.NewSessionAsync();
        await admin.SignInAsync("admin", RectifyApp.AdminPassword);
        await admin.GoAsync("/admin/clock");
        await admin.Page.GetByLabel("向前拨动").FillAsync("P21D");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "调整时钟" }).ClickAsync();
        (await admin.TextAsync(".flash")).ShouldBe("时钟已调整");

        // The inbox has one row per item (not one per level), with the levels it went through (issue 14 §8).
        await supervisor.GoAsync($"/supervision?campaignId={campaignId}");
        var escalations = supervisor.Page.Locator("[data-testid=escalations] tbody tr[data-subject]").Filter(new() { HasText = "部分自然村饮水工程水质不达标" });
        (await escalations.CountAsync()).ShouldBe(1);
        (await escalations.First.InnerTextAsync()).ShouldContain("县水利局");
        var history = await escalations.First.Locator("[data-testid=level-history]").InnerTextAsync();
        history.ShouldContain("催办");
        history.ShouldContain("督办函");
        var overdue = supervisor.Page.Locator("[data-testid=supervision-overdue] tbody tr").Filter(new() { HasText = "部分自然村饮水工程水质不达标" });
        (await overdue.InnerTextAsync()).ShouldContain("19");
        await supervisor.ScreenshotAsync("supervision-inbox");

        // The item page shows the escalation record and the messages sent.
        await supervisor.ClickAndWaitForPageAsync(escalations.First.Locator("a[href^='/items/']"), new Regex("/items/[0-9a-f-]{36}$"));
        (await supervisor.TextAsync("[data-testid=item-light]")).ShouldBe("红灯");
        (await supervisor.TextAsync("[data-testid=item-overdue]")).ShouldBe("逾期 19 天");
        (await supervisor.Page.Locator("[data-testid=item-escalations]").InnerTextAsync()).ShouldContain("督办函");

        // The supervision office records the admonitory talk: the people are required, then it is kept on the item.
        await supervisor.Page.Locator("details[data-event=talk] summary").ClickAsync();
        await supervisor.Page.GetByLabel("约谈日期 *").FillAsync(app.Today.ToString("yyyy-MM-dd"));
        await supervisor.Page.GetByRole(AriaRole.Button, new() { Name = "记录约谈" }).ClickAsync();
        (await supervisor.TextAsync("span[data-valmsg-for='Talk.People']")).ShouldBe("请填写约谈对象");
        await supervisor.Page.GetByLabel("约谈对象 *").FillAsync("县水利局局长 李某某");
        await supervisor.Page.GetByLabel("约谈情况").FillAsync("责令十日内完成水质提升改造。");
        await supervisor.Page.GetByRole(AriaRole.Button, new() { Name = "记录约谈" }).ClickAsync();
        (await supervisor.TextAsync(".flash")).ShouldBe("约谈已记录");
        (await supervisor.Page.Locator("[data-testid=talks]").InnerTextAsync()).ShouldContain("县水利局局长 李某某");
        await supervisor.ScreenshotAsync("item-escalated");
        // The timeline speaks words: no raw step names, bookkeeping folded.
        var timeline = await supervisor.Page.Locator("[data-testid=timeline]").InnerTextAsync();
        timeline.ShouldContain("升级督办");
        timeline.ShouldNotContain("escalation:");
        timeline.ShouldNotContain("timerSkipped");

        // Two weeks more: the item reaches 约谈 and the office sets the appointment in place; bad input is refused in Chinese.
        await admin.GoAsync("/admin/clock");
        await admin.Page.GetByLabel("向前拨动").FillAsync("P14D");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "调整时钟" }).ClickAsync();
        (await admin.TextAsync(".flash")).ShouldBe("时钟已调整");
        await supervisor.GoAsync($"/supervision?campaignId={campaignId}&level=admonitoryTalk");
        var talkRow = supervisor.Page.Locator("[data-testid=escalations] tbody tr[data-subject]").Filter(new() { HasText = "部分自然村饮水工程水质不达标" });
        (await talkRow.Locator("[data-testid=current-level]").InnerTextAsync()).ShouldBe("约谈");
        var subject = await talkRow.GetAttributeAsync("data-subject");
        var form = supervisor.Page.Locator($"tr[data-talk-for='{subject}']");
        await form.GetByLabel("约谈时间 *").FillAsync($"{app.Today.AddDays(-1):yyyy-MM-dd}T09:30");
        await form.GetByLabel("约谈地点 *").FillAsync("县委三楼第一会议室");
        await form.GetByLabel("约谈对象及参加人员 *").FillAsync("县水利局主要负责人；责任领导");
        await form.GetByRole(AriaRole.Button, new() { Name = "发出约谈通知" }).ClickAsync();
        (await supervisor.TextAsync($"tr[data-talk-for='{subject}'] span[data-valmsg-for='Talk.At']")).ShouldContain("约谈时间已过");
        await form.GetByLabel("约谈时间 *").FillAsync($"{app.Today.AddDays(3):yyyy-MM-dd}T09:30");
        await form.GetByLabel("约谈地点 *").FillAsync("");
        await form.GetByRole(AriaRole.Button, new() { Name = "发出约谈通知" }).ClickAsync();
        (await supervisor.TextAsync($"tr[data-talk-for='{subject}'] span[data-valmsg-for='Talk.Place']")).ShouldContain("请填写约谈地点");
        await form.GetByLabel("约谈地点 *").FillAsync("县委三楼第一会议室");
        await form.GetByRole(AriaRole.Button, new() { Name = "发出约谈通知" }).ClickAsync();
        (await supervisor.TextAsync(".flash")).ShouldBe("约谈已安排，通知已发出");
        (await supervisor.TextAsync($"tr[data-talk-for='{subject}'] [data-testid=talk-appointment]")).ShouldContain($"{app.Today.AddDays(3):yyyy-MM-dd} 09:30 · 县委三楼第一会议室");
        await supervisor.ScreenshotAsync("talk-appointment");
        supervisor.ShouldHaveNoConsoleErrors();
        admin.ShouldHaveNoConsoleErrors();
    }
}
