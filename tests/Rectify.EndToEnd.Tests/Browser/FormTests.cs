using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>Forms validate on the server (the API's own rules) and show Chinese errors beside the fields.</summary>
public sealed class FormTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static string Error(string field) => $"span[data-valmsg-for='{field}']";

    [Fact]
    public async Task CreateCampaign_InvalidThenValid_ErrorsBesideFieldsThenDashboard()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.GoAsync("/campaigns/new");
        await s.Page.GetByLabel("集中整改 开始").FillAsync("2026-06-10");
        await s.Page.GetByLabel("集中整改 结束").FillAsync("2026-06-01");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();

        (await s.Page.Locator(Error("Input.Title")).InnerTextAsync()).ShouldBe("必填");
        (await s.Page.Locator(Error("Input.Phases[1].End")).InnerTextAsync()).ShouldBe("结束日期不能早于开始日期");
        (await s.Page.GetByLabel("标题 *").GetAttributeAsync("class"))!.ShouldContain("input-validation-error");
        await s.ScreenshotAsync("campaign-form-errors");

        await s.Page.GetByLabel("标题 *").FillAsync("县级脱贫攻坚问题整改（测试）");
        await s.Page.GetByLabel("集中整改 结束").FillAsync("2026-06-30");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }), new System.Text.RegularExpressions.Regex("/campaigns/[0-9a-f-]{36}$"));
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("县级脱贫攻坚问题整改（测试）");
        (await s.Page.Locator(".flash").InnerTextAsync()).ShouldContain("整改工作已创建");

        // Add an item: missing title and deadline are refused beside their fields; then it is saved.
        await s.Page.GetByRole(AriaRole.Link, new() { Name = "添加问题" }).ClickAsync();
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        (await s.Page.Locator(Error("Input.Title")).InnerTextAsync()).ShouldBe("必填");
        (await s.Page.Locator(Error("Input.Deadline")).InnerTextAsync()).ShouldContain("请填写整改时限");
        (await s.Page.Locator(Error("Input.LeadUnit")).InnerTextAsync()).ShouldBe("必填");
        await s.ScreenshotAsync("item-form-errors");

        await s.Page.GetByLabel("问题 *").FillAsync("村级活动场所建设滞后");
        await s.Page.GetByLabel("牵头单位 *").SelectOptionAsync("fpb");
        await s.Page.GetByLabel("责任单位（可多选）").SelectOptionAsync(["zfz", "czj"]);
        await s.Page.GetByLabel("整改时限").FillAsync("2026-12-31");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }), new System.Text.RegularExpressions.Regex("/items/[0-9a-f-]{36}$"));
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldContain("村级活动场所建设滞后");
        (await s.Page.Locator("dl.facts").InnerTextAsync()).ShouldContain("县财政局");
        (await s.Page.Locator("[data-testid=item-state]").InnerTextAsync()).ShouldBe("草稿");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task CreateUnit_DuplicateCodeAndBadCode_ShowRefusalsBesideFields()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        await s.GoAsync("/admin/units");
        await s.Page.GetByLabel("代码 *").FillAsync("bad code!");
        await s.Page.GetByLabel("名称 *").FillAsync("");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        (await s.Page.Locator(Error("Input.Code")).InnerTextAsync()).ShouldContain("只能包含字母、数字");
        (await s.Page.Locator(Error("Input.Name")).InnerTextAsync()).ShouldBe("必填");
        (await s.Page.Locator(Error("Input.Kind")).InnerTextAsync()).ShouldBe("必填");

        await s.Page.GetByLabel("代码 *").FillAsync("fpb");
        await s.Page.GetByLabel("名称 *").FillAsync("重复的单位");
        await s.Page.GetByLabel("类型 *").SelectOptionAsync("department");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        (await s.Page.Locator(".errors").InnerTextAsync()).ShouldContain("单位代码 fpb 已存在");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task CalendarClockAndSources_BadValues_ShowRefusalsBesideFields()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        // Each submit waits for the page it answers (an error span is on the page before it, empty).
        var save = s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" });

        // The calendar: a missing name (400), then a Saturday as a holiday (422 naming the kind).
        await s.GoAsync("/admin/calendar?year=2026");
        await s.Page.GetByLabel("日期 *").FillAsync("2026-08-01");
        await s.Page.GetByLabel("类型 *").SelectOptionAsync("holiday");
        await s.ClickAndWaitForPageAsync(save);
        (await s.Page.Locator(Error("Input.Name")).InnerTextAsync()).ShouldBe("必填");
        await s.Page.GetByLabel("名称 *").FillAsync("周六放假");
        await s.ClickAndWaitForPageAsync(save);
        (await s.Page.Locator(Error("Input.Kind")).InnerTextAsync()).ShouldBe("2026-08-01 是星期六，本就休息，无需设为假日");
        (await s.Page.Locator(Error("Input.Name")).InnerTextAsync()).ShouldBe("");

        // The clock: a duration that is not ISO 8601 (the clock does not move).
        await s.GoAsync("/admin/clock");
        await s.Page.GetByLabel("向前拨动").FillAsync("三天");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "调整时钟" }));
        (await s.Page.Locator(Error("Input.AdvanceBy")).InnerTextAsync()).ShouldBe("必须是 ISO 8601 时长，如 P3D、PT2H");

        // The item sources: a sort number out of range, then no name.
        await s.GoAsync("/admin/item-sources");
        await s.Page.GetByLabel("问题来源 *").FillAsync("巡视巡察");
        await s.Page.GetByLabel("排序").FillAsync("200000");
        await s.ClickAndWaitForPageAsync(save);
        (await s.Page.Locator(Error("Input.Sort")).InnerTextAsync()).ShouldBe("排序号应在 0 至 100000 之间");
        await s.Page.GetByLabel("问题来源 *").FillAsync("");
        await s.Page.GetByLabel("排序").FillAsync("10");
        await s.ClickAndWaitForPageAsync(save);
        (await s.Page.Locator(Error("Input.Name")).InnerTextAsync()).ShouldBe("必填");
        (await s.Page.Locator(Error("Input.Sort")).InnerTextAsync()).ShouldBe("");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task PeopleAndUnitGroups_BadValues_ShowRefusalsBesideFields()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);

        // A person: no name, a bad phone number and a robot URL that is no URL (400), then a robot host that is not the
        // vendor's (422 naming the field).
        await s.GoAsync("/admin/people");
        var savePerson = s.Page.GetByRole(AriaRole.Button, new() { Name = "保存", Exact = true });
        await s.Page.GetByLabel("手机").FillAsync("abc");
        await s.Page.GetByLabel("企业微信机器人地址").FillAsync("ftp://robot");
        await s.ClickAndWaitForPageAsync(savePerson);
        (await s.TextAsync(Error("Input.Name"))).ShouldBe("必填");
        (await s.TextAsync(Error("Input.Mobile"))).ShouldBe("手机号格式不正确");
        (await s.TextAsync(Error("Input.WecomWebhook"))).ShouldBe("必须是 http(s) 地址");
        await s.Page.GetByLabel("姓名 *").FillAsync("王测试");
        await s.Page.GetByLabel("单位 *").SelectOptionAsync("fpb");
        await s.Page.GetByLabel("手机").FillAsync("");
        await s.Page.GetByLabel("企业微信机器人地址").FillAsync("https://robot.example/hook");
        await s.ClickAndWaitForPageAsync(savePerson);
        (await s.TextAsync(Error("Input.WecomWebhook"))).ShouldStartWith("机器人地址只能指向官方地址");
        (await s.TextAsync(Error("Input.Mobile"))).ShouldBe("");
        (await s.TextAsync(Error("Input.Name"))).ShouldBe("");

        // A unit group and an alias naming units that do not exist (422 beside the units field of each form).
        await s.GoAsync("/admin/unit-groups");
        await s.Page.GetByLabel("分组名称 *").FillAsync("测试分组");
        await s.Page.GetByLabel("单位代码（用顿号分隔）").FillAsync("fpb、nosuchunit");
        await s.ClickAndWaitForPageAsync(s.Page.Locator("form[action*='handler=Group'] button[type=submit]"));
        (await s.TextAsync(Error("Input.Units"))).ShouldBe("单位 nosuchunit 不存在");
        await s.Page.GetByLabel("别名 *").FillAsync("某某办");
        await s.Page.GetByLabel("单位代码 *").FillAsync("nosuchunit");
        await s.ClickAndWaitForPageAsync(s.Page.Locator("form[action*='handler=Alias'] button[type=submit]"));
        (await s.TextAsync(Error("Alias.UnitCode"))).ShouldBe("单位 nosuchunit 不存在");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task CreateUser_ShortPassword_ShowsErrorBesidePassword()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("admin", RectifyApp.AdminPassword);
        await s.GoAsync("/admin/users");
        await s.Page.GetByLabel("用户名 *").FillAsync("newuser");
        await s.Page.GetByLabel("初始密码 *").FillAsync("short");
        await s.Page.GetByLabel("角色 *").SelectOptionAsync("unit");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync();
        (await s.Page.Locator(Error("Input.Password")).InnerTextAsync()).ShouldBe("密码至少 10 位");
        (await s.Page.Locator(Error("Input.UnitCode")).InnerTextAsync()).ShouldBe("该角色必须属于一个单位");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task ImportProblemList_BadRowsThenGoodFile_ErrorsInTheirCellsThenPreviewThenConfirm()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.GoAsync("/campaigns/new");
        await s.Page.GetByLabel("标题 *").FillAsync("导入测试整改工作");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }), new System.Text.RegularExpressions.Regex("/campaigns/[0-9a-f-]{36}$"));
        await s.Page.GetByRole(AriaRole.Link, new() { Name = "导入问题清单" }).ClickAsync();

        // A file with errors: the preview marks the cells, says nothing can be imported, and offers no confirmation.
        var dir = Directory.CreateTempSubdirectory("rectify-import-").FullName;
        var bad = Path.Combine(dir, "问题清单-有误.csv");
        File.WriteAllText(bad, "序号,反馈问题,整改措施,牵头单位,责任单位,整改时限\n1,危房改造对象认定不准,逐户复核,县住建局,县民政局,2026-12-31\n2,,建立台账,查无此单位,县财政局,2026-12-31\n", new System.Text.UTF8Encoding(true));
        await s.Page.GetByLabel("问题清单文件 *").SetInputFilesAsync(bad);
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "预览" }).ClickAsync();
        (await s.Page.Locator("[data-testid=preview-summary]").InnerTextAsync()).ShouldContain("改正前不能导入");
        (await s.Page.Locator("[data-testid=confirm-import]").CountAsync()).ShouldBe(0);
        (await s.Page.Locator("td.cell-error[data-cell=D3]").InnerTextAsync()).ShouldContain("无法识别的单位“查无此单位”");
        (await s.Page.Locator("td.cell-error[data-cell=B3]").CountAsync()).ShouldBe(1);
        (await s.Page.Locator("td.cell-error").CountAsync()).ShouldBe(2);
        var errors = s.Page.Locator("[data-testid=import-errors] tbody tr");
        (await errors.CountAsync()).ShouldBe(2);
        await s.ScreenshotAsync("import-errors");

        // A good file: the preview shows what will be created (units, the deadline beside its text, a milestone, the
        // source), nothing is imported yet; confirming imports it.
        var good = Path.Combine(dir, "问题清单.csv");
        File.WriteAllText(good, "序号,反馈问题,整改措施,牵头单位,责任单位,整改时限,问题来源\n1,危房改造对象认定不准,于11月20日前逐户复核,县住建局,县民政局,12月底前,审计\n2,扶贫资金拨付滞后,建立台账,县财政局,县扶贫办,长期坚持,媒体暗访\n", new System.Text.UTF8Encoding(true));
        await s.Page.GetByLabel("问题清单文件 *").SetInputFilesAsync(good);
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "预览" }).ClickAsync();
        (await s.Page.Locator("[data-testid=preview-summary]").InnerTextAsync()).ShouldContain("将创建 2 个问题");
        var first = await s.Page.Locator("[data-testid=preview-rows] tr[data-row='2'] [data-testid=preview-item]").InnerTextAsync();
        first.ShouldContain("牵头单位：县住建局");
        first.ShouldContain("责任单位：县民政局");
        first.ShouldContain("（原文：12月底前）");
        first.ShouldContain("问题来源：审计");
        first.ShouldContain("阶段性节点：");
        first.ShouldContain("于11月20日前逐户复核");
        (await s.Page.Locator("[data-testid=preview-rows] tr[data-row='3'] [data-testid=preview-item]").InnerTextAsync()).ShouldContain("长期坚持");
        await s.ScreenshotAsync("import-preview");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "确认导入 2 个问题" }), url => url.Contains("/items?campaignId=", StringComparison.Ordinal));
        (await s.Page.Locator(".flash").InnerTextAsync()).ShouldBe("已导入 2 个问题");
        (await s.Page.Locator("[data-testid=items]").InnerTextAsync()).ShouldContain("扶贫资金拨付滞后");
        await s.Page.GetByRole(AriaRole.Link, new() { Name = "危房改造对象认定不准" }).ClickAsync();
        (await s.Page.Locator("[data-testid=item-deadline-text]").InnerTextAsync()).ShouldContain("12月底前");
        (await s.Page.Locator("[data-testid=item-source]").InnerTextAsync()).ShouldBe("审计");
        (await s.Page.Locator("[data-testid=milestones]").InnerTextAsync()).ShouldContain("于11月20日前逐户复核");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task ImportPreview_AnIndefiniteName_TheOfficePicksTheUnits_ThenImports()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("lgo", RectifyApp.DemoPassword);
        await s.GoAsync("/campaigns/new");
        await s.Page.GetByLabel("标题 *").FillAsync("选择单位整改工作");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "保存" }), new System.Text.RegularExpressions.Regex("/campaigns/[0-9a-f-]{36}$"));
        await s.Page.GetByRole(AriaRole.Link, new() { Name = "导入问题清单" }).ClickAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("rectify-import-").FullName, "问题清单.csv");
        File.WriteAllText(file, "序号,反馈问题,牵头单位,责任单位,整改时限\n1,产业帮扶不精准,县扶贫办,县直相关部门,12月底前\n", new System.Text.UTF8Encoding(true));
        await s.Page.GetByLabel("问题清单文件 *").SetInputFilesAsync(file);
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "预览" }).ClickAsync();
        (await s.Page.Locator("td.cell-error[data-cell=D2]").InnerTextAsync()).ShouldContain("没有指明具体单位");
        var picks = s.Page.Locator("[data-testid=import-picks]");
        await picks.GetByLabel("县财政局").CheckAsync();
        await picks.GetByLabel("县民政局").CheckAsync();
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "按所选单位重新预览" }).ClickAsync();
        (await s.Page.Locator("[data-testid=preview-summary]").InnerTextAsync()).ShouldContain("将创建 1 个问题");
        var item = await s.Page.Locator("[data-testid=preview-item]").InnerTextAsync();
        item.ShouldContain("县财政局");
        item.ShouldContain("县民政局");
        await s.ClickAndWaitForPageAsync(s.Page.GetByRole(AriaRole.Button, new() { Name = "确认导入 1 个问题" }), url => url.Contains("/items?campaignId=", StringComparison.Ordinal));
        (await s.Page.Locator(".flash").InnerTextAsync()).ShouldBe("已导入 1 个问题");
        s.ShouldHaveNoConsoleErrors();
    }
}
