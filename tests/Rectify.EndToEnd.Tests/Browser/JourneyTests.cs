using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// One item across three people: the leading-group office creates and launches it, the unit acknowledges it, reports
/// progress with a file and asks to close it, the office approves. Each step is checked on the screen.
/// </summary>
public sealed class JourneyTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Item_LaunchAcknowledgeProgressClosureApprove_EachStepOnScreen()
    {
        var deadline = app.Today.AddDays(30).ToString("yyyy-MM-dd");
        await using var office = await app.NewSessionAsync();
        await office.SignInAsync("lgo", RectifyApp.DemoPassword);

        // The office creates a campaign and one item for 县扶贫办, then launches it.
        await office.GoAsync("/campaigns/new");
        await office.Page.GetByLabel("标题 *").FillAsync("易地扶贫搬迁后续扶持问题整改");
        await office.Page.GetByLabel("督查单位").SelectOptionAsync("dcs");
        (await office.Page.GetByLabel("流程定义 *").InputValueAsync()).ShouldBe("rectification-campaign");
        await office.ClickAndWaitForPageAsync(office.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }), new Regex("/campaigns/[0-9a-f-]{36}$"));
        var campaignUrl = office.Page.Url;
        await office.Page.GetByRole(AriaRole.Link, new() { Name = "添加问题" }).ClickAsync();
        await office.Page.GetByLabel("问题 *").FillAsync("搬迁群众后续产业扶持不到位");
        await office.Page.GetByLabel("牵头单位 *").SelectOptionAsync("fpb");
        await office.Page.GetByLabel("整改时限").FillAsync(deadline);
        await office.ClickAndWaitForPageAsync(office.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }), new Regex("/items/[0-9a-f-]{36}$"));
        var itemUrl = office.Page.Url;
        (await office.TextAsync("[data-testid=item-state]")).ShouldBe("草稿");

        await office.GoAsync(campaignUrl);
        await office.ClickAndWaitForPageAsync(office.Page.GetByRole(AriaRole.Button, new() { Name = "启动" }), campaignUrl);
        (await office.TextAsync(".flash")).ShouldContain("整改工作已启动");
        (await office.TextAsync("header .badge")).ShouldBe("进行中");
        await office.GoAsync(itemUrl);
        (await office.TextAsync("[data-testid=item-state]")).ShouldBe("已交办");
        (await office.Page.Locator("[data-testid=timeline]").InnerTextAsync()).ShouldContain("交办");

        // The unit finds it among its items and acknowledges it.
        await using var unit = await app.NewSessionAsync();
        await unit.SignInAsync("fpb", RectifyApp.DemoPassword);
        await unit.GoAsync("/items?q=" + Uri.EscapeDataString("搬迁群众后续产业扶持不到位"));
        var row = unit.Page.Locator("[data-testid=items] tbody tr").Filter(new() { HasText = "搬迁群众后续产业扶持不到位" });
        (await row.InnerTextAsync()).ShouldContain("已交办");
        (await row.InnerTextAsync()).ShouldContain(deadline);
        await unit.ClickAndWaitForPageAsync(row.GetByRole(AriaRole.Link), itemUrl);
        await unit.SendItemEventAsync("acknowledge");
        (await unit.TextAsync(".flash")).ShouldBe("已签收");
        (await unit.TextAsync("[data-testid=item-state]")).ShouldBe("整改中");

        // The unit asks for more time; the office approves it with a note; the new deadline shows on the item.
        var extended = app.Today.AddDays(40).ToString("yyyy-MM-dd");
        await unit.SendItemEventAsync("requestExtension", "安置点用地手续尚在审批，申请延期十天。", extended);
        (await unit.TextAsync(".flash")).ShouldBe("已申请延期");
        await office.GoAsync(itemUrl);
        await office.SendItemEventAsync("approveExtension", "同意延期。");
        (await office.TextAsync(".flash")).ShouldBe("已同意延期");
        (await office.Page.Locator("dl.facts").InnerTextAsync()).ShouldContain(extended);
        await unit.GoAsync(itemUrl);

        // Progress without a note is refused beside the note; with a note and a photo it is recorded.
        await unit.SendItemEventAsync("progress");
        (await unit.TextAsync("details[data-event=progress] [data-error-for=Note]")).ShouldNotBeEmpty();
        await unit.SendItemEventAsync("progress", "已完成 3 个安置点产业扶持项目选址。", files: Evidence.Png("安置点现场照片.png"));
        (await unit.TextAsync(".flash")).ShouldBe("已报送进展");
        (await unit.Page.Locator("[data-testid=attachments]").InnerTextAsync()).ShouldContain("安置点现场照片.png");
        (await unit.Page.Locator("[data-testid=timeline]").InnerTextAsync()).ShouldContain("已完成 3 个安置点产业扶持项目选址。");

        // A file whose content is not what its name says is refused beside the file field.
        await unit.SendItemEventAsync("requestClosure", "整改已完成，申请销号。", files: Evidence.FakeExe("验收报告.pdf"));
        (await unit.TextAsync("details[data-event=requestClosure] [data-error-for=Files]")).ShouldNotBeEmpty();
        (await unit.TextAsync("[data-testid=item-state]")).ShouldBe("整改中");
        await unit.SendItemEventAsync("requestClosure", "整改已完成，申请销号。", files: [Evidence.Pdf("验收报告.pdf"), Evidence.Png("验收照片.png")]);
        (await unit.TextAsync("[data-testid=item-state]")).ShouldBe("申请销号");
        (await unit.Page.Locator("[data-testid=attachments] li").CountAsync()).ShouldBe(3);
        (await unit.Page.Locator("details[data-event=approveClosure]").CountAsync()).ShouldBe(0);
        await unit.ScreenshotAsync("item-closure-requested");

        // The office sees the request and approves it.
        await office.GoAsync(itemUrl);
        (await office.TextAsync("[data-testid=item-state]")).ShouldBe("申请销号");
        await office.SendItemEventAsync("approveClosure", "材料齐全，同意销号。");
        (await office.TextAsync(".flash")).ShouldBe("已同意销号");
        (await office.TextAsync("[data-testid=item-state]")).ShouldBe("已销号");
        var timeline = await office.Page.Locator("[data-testid=timeline]").InnerTextAsync();
        foreach (var step in new[] { "交办", "签收", "报送进展", "申请销号", "同意销号" }) timeline.ShouldContain(step);
        (await office.Page.Locator("[data-testid=notifications] tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        await office.ScreenshotAsync("item-closed");

        await office.GoAsync(campaignUrl);
        (await office.TextAsync("[data-testid=kpi-closed-on-time]")).ShouldBe("1");
        var report = await office.Page.APIRequest.GetAsync((await office.Page.GetByRole(AriaRole.Link, new() { Name = "整改进度报告" }).GetAttributeAsync("href"))!);
        report.Status.ShouldBe(200);
        (await report.BodyAsync()).Take(2).ShouldBe("PK"u8.ToArray());

        // Look-back (回头看): the supervision office finds the problem back and re-opens the item with a reason and a new deadline.
        await using var supervisor = await app.NewSessionAsync();
        await supervisor.SignInAsync("dcs", RectifyApp.DemoPassword);
        await supervisor.GoAsync(itemUrl);
        await supervisor.SendItemEventAsync("reopen", newDeadline: app.Today.AddDays(45).ToString("yyyy-MM-dd"));
        (await supervisor.TextAsync("details[data-event=reopen] [data-error-for=Note]")).ShouldNotBeEmpty();
        await supervisor.SendItemEventAsync("reopen", "回头看发现部分搬迁户仍无稳定收入，问题反弹。", app.Today.AddDays(45).ToString("yyyy-MM-dd"));
        (await supervisor.TextAsync(".flash")).ShouldBe("已重新打开");
        (await supervisor.TextAsync("[data-testid=item-state]")).ShouldBe("整改中");
        (await supervisor.Page.Locator("[data-testid=timeline]").InnerTextAsync()).ShouldContain("问题反弹");
        supervisor.ShouldHaveNoConsoleErrors();
        office.ShouldHaveNoConsoleErrors();
        unit.ShouldHaveNoConsoleErrors();
    }
}
