using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>The service without the demo: only what <see cref="TodoWorld"/> sets up waits for anyone.</summary>
public sealed class TodoWorld : BrowserApp
{
    public const string Password = "Passw0rd!todo";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:DemoData"] = "false",
        ["Rectify:Clock:Controllable"] = "true",
    };

    public Guid Shared { get; private set; }
    public Guid Closing { get; private set; }
    public Guid ClosingToDecide { get; private set; }
    public Guid Extending { get; private set; }
    public Guid ExtendingToDecide { get; private set; }
    public Guid Late { get; private set; }
    public Guid Campaign { get; private set; }

    /// <summary>Items only 章凤镇 (t-uc) has to sign: more than one page of the 待办.</summary>
    public const int PagedItems = 23;

    public static DateTimeOffset Local(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    /// <summary>
    /// One campaign launched Monday 1 June 2026: an item unit B has not signed, closures requested by unit A (with a photo,
    /// a PDF and a CSV), extensions requested by unit B, and an item of unit A run four working days past its deadline (a
    /// supervision letter). The clock then stands at Thursday 11 June 10:00. The landing test reads one closure and one
    /// extension, the decision tests decide the others (tests of a class may run in any order).
    /// </summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var admin = await ApiAsAsync("admin", AdminPassword);
        async Task Ok(Task<HttpResponseMessage> call)
        {
            var response = await call;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        async Task<JsonElement> Json(Task<HttpResponseMessage> call)
        {
            var response = await call;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        await Ok(admin.PostAsJsonAsync("/api/admin/clock", new { now = Local(6, 1) }));
        foreach (var (code, name, kind) in new[] { ("t-lg", "县整改办", "leadingGroup"), ("t-dc", "县委督查室", "supervisionOffice"), ("t-ua", "县住建局", "department"), ("t-ub", "勐约乡", "township"), ("t-uc", "章凤镇", "township") })
        {
            await Ok(admin.PostAsJsonAsync("/api/units", new { code, name, kind }));
            var person = (await Json(admin.PostAsJsonAsync("/api/people", new { name = name + "联络员", unitCode = code, isUnitContact = true }))).GetProperty("id").GetGuid();
            var role = kind switch { "leadingGroup" => "leadingGroup", "supervisionOffice" => "supervisor", _ => "unit" };
            await Ok(admin.PostAsJsonAsync("/api/users", new { userName = code, password = Password, role, unitCode = code, personId = person }));
        }
        var office = await ApiAsAsync("t-lg", Password);
        var unitA = await ApiAsAsync("t-ua", Password);
        var unitB = await ApiAsAsync("t-ub", Password);
        Campaign = (await Json(office.PostAsJsonAsync("/api/campaigns", new
        {
            title = "人居环境问题整改", issuedByUnit = "t-lg", supervisionUnit = "t-dc", workflow = new { id = "rectification-campaign" },
        }))).GetProperty("id").GetGuid();
        async Task<Guid> Item(string title, string lead, string[] units, string deadline) =>
            (await Json(office.PostAsJsonAsync($"/api/campaigns/{Campaign}/items", new { title, leadUnit = lead, units, deadline, ongoing = false })))
            .GetProperty("id").GetGuid();
        Shared = await Item("农村垃圾收运不及时", "t-ua", ["t-ua", "t-ub"], "2026-06-22");
        Closing = await Item("背街小巷路灯损坏", "t-ua", ["t-ua"], "2026-06-22");
        ClosingToDecide = await Item("公共厕所保洁不到位", "t-ua", ["t-ua"], "2026-06-22");
        Extending = await Item("乡镇污水管网未接通", "t-ub", ["t-ub"], "2026-06-22");
        ExtendingToDecide = await Item("村庄规划未编制", "t-ub", ["t-ub"], "2026-06-22");
        Late = await Item("集镇农贸市场脏乱", "t-ua", ["t-ua"], "2026-06-05");
        // 章凤镇 has more to sign than one page shows.
        for (var n = 1; n <= PagedItems; n++) await Item($"章凤镇待签收问题{n:00}", "t-uc", ["t-uc"], "2026-09-30");
        await Ok(office.PostAsync($"/api/campaigns/{Campaign}/launch", null));

        Task Send(HttpClient client, Guid item, object body) => Ok(client.PostAsJsonAsync($"/api/items/{item}/events", body));
        foreach (var item in new[] { Shared, Closing, ClosingToDecide, Late }) await Send(unitA, item, new { type = "acknowledge" });
        foreach (var item in new[] { Extending, ExtendingToDecide }) await Send(unitB, item, new { type = "acknowledge" });
        foreach (var item in new[] { Closing, ClosingToDecide })
        {
            var files = new MultipartFormDataContent
            {
                { new ByteArrayContent(File.ReadAllBytes(Evidence.Png("修复照片.png"))), "file", "修复照片.png" },
                { new ByteArrayContent(File.ReadAllBytes(Evidence.Pdf("验收单.pdf"))), "file", "验收单.pdf" },
                { new ByteArrayContent("编号,状态\n1,已整改\n"u8.ToArray()), "file", "整改清单.csv" },
            };
            var uploaded = await Json(unitA.PostAsync($"/api/items/{item}/attachments", files));
            var ids = uploaded.EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToArray();
            await Send(unitA, item, new { type = "requestClosure", note = "已全部整改并验收", attachmentIds = ids });
        }
        await Send(unitB, Extending, new { type = "requestExtension", note = "管材采购需重新招标", newDeadline = "2026-07-31" });
        await Send(unitB, ExtendingToDecide, new { type = "requestExtension", note = "规划编制单位尚未确定", newDeadline = "2026-08-31" });
        await Ok(admin.PostAsJsonAsync("/api/admin/clock", new { now = Local(6, 11) }));
    }
}

/// <summary>
/// 待办 in the browser (issue 13): each role signs in, lands on its 待办 and finds what the scenario left for it; a
/// decision is taken from its own screen, which shows what is decided (the requested date, the evidence in place).
/// </summary>
public sealed class TodoTests(TodoWorld app) : IClassFixture<TodoWorld>
{
    private static ILocator Row(UiSession s, string kind, string text) =>
        s.Page.Locator($"[data-testid=todo] tbody tr[data-kind={kind}]").Filter(new() { HasText = text });

    public static TheoryData<string, string, string> Landings => new()
    {
        { "t-ub", "acknowledge", "农村垃圾收运不及时" },
        { "t-ua", "complete", "集镇农贸市场脏乱" },
        { "t-lg", "decideClosure", "背街小巷路灯损坏" },
        { "t-lg", "decideExtension", "乡镇污水管网未接通" },
        { "t-dc", "escalation", "集镇农贸市场脏乱" },
    };

    [Theory]
    [MemberData(nameof(Landings))]
    public async Task EachRole_SignsIn_LandsOnTodo_ListingWhatWaitsForIt(string user, string kind, string title)
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync(user, TodoWorld.Password);
        s.Page.Url.ShouldEndWith("/todo");
        (await s.Page.Locator("h1").InnerTextAsync()).ShouldBe("待办");
        var row = Row(s, kind, title);
        (await row.CountAsync()).ShouldBe(1, $"{user} should find {kind} {title}");
        // The navigation counts what waits (a badge on 待办).
        var badge = await s.Page.Locator("nav.nav a[data-section=todo] .nav-count").GetAttributeAsync("data-count");
        int.Parse(badge!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(await s.Page.Locator("[data-testid=todo] tbody tr").CountAsync());
        await s.ScreenshotAsync($"todo-{user}-{kind}");
        // Nothing of another role's: a unit never sees decisions, an office never a signature.
        var text = await s.Page.Locator("main").InnerTextAsync();
        if (user.StartsWith("t-u", StringComparison.Ordinal)) text.ShouldNotContain("销号审核");
        if (user == "t-lg") (await s.Page.Locator("[data-testid=todo] tbody tr[data-kind=acknowledge]").CountAsync()).ShouldBe(0);
        // The row leads to where it is done.
        await s.ClickAndWaitForPageAsync(row.Locator("a[data-testid=todo-link]"));
        s.Page.Url.ShouldContain("/items/");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Extension_DecidedFromItsScreen_ShowsTheRequestedDate_AndLeavesTheTodo()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("t-lg", TodoWorld.Password);
        var row = Row(s, "decideExtension", "村庄规划未编制");
        (await row.InnerTextAsync()).ShouldContain("申请延期至 2026-08-31（现时限 2026-06-22）");
        await s.ClickAndWaitForPageAsync(row.Locator("a[data-testid=todo-link]"), new Regex($"/items/{app.ExtendingToDecide}/extension$"));
        (await s.TextAsync("[data-testid=requested-date]")).ShouldBe("2026-08-31");
        (await s.TextAsync("[data-testid=current-deadline]")).ShouldBe("2026-06-22");
        (await s.TextAsync("[data-testid=request-note]")).ShouldBe("规划编制单位尚未确定");
        (await s.TextAsync("[data-testid=request-unit]")).ShouldContain("勐约乡");
        (await s.Page.Locator("[data-testid=unit-reports] [data-unit=t-ub]").CountAsync()).ShouldBe(1);
        await s.ScreenshotAsync("decide-extension");

        await s.SendItemEventAsync("approveExtension", note: "同意延期至 8 月底");
        (await s.TextAsync(".flash")).ShouldContain("同意延期");
        // Decided: the screen still says what was asked, against the deadline it was asked against, and what was decided.
        (await s.TextAsync("[data-testid=requested-date]")).ShouldBe("2026-08-31");
        (await s.TextAsync("[data-testid=current-deadline]")).ShouldBe("2026-06-22");
        (await s.TextAsync("[data-testid=decided]")).ShouldContain("同意延期");
        (await s.Page.Locator("[data-testid=decision] details[data-event]").CountAsync()).ShouldBe(0);

        await s.GoAsync("/todo");
        (await Row(s, "decideExtension", "村庄规划未编制").CountAsync()).ShouldBe(0);
        (await Row(s, "decideExtension", "乡镇污水管网未接通").CountAsync()).ShouldBe(1);
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Closure_ShowsEvidenceInPlace_AndDecidingItAgainIsRefusedInChinese()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("t-lg", TodoWorld.Password);
        await s.ClickAndWaitForPageAsync(Row(s, "decideClosure", "公共厕所保洁不到位").Locator("a[data-testid=todo-link]"), new Regex($"/items/{app.ClosingToDecide}/closure$"));
        (await s.TextAsync("[data-testid=request-note]")).ShouldBe("已全部整改并验收");

        // The photo shows, the PDF opens in its frame (the CSP lets the app frame its own files), the CSV is a download.
        var evidence = s.Page.Locator("[data-testid=request-evidence]");
        await evidence.Locator("img[data-testid=evidence-image]").ScrollIntoViewIfNeededAsync();
        await s.Page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=request-evidence] img'); return i && i.complete && i.naturalWidth > 0; }");
        // The page's load event waits for its frames; a frame the CSP refused would stand at chrome-error:// (and log an error).
        await s.Page.WaitForLoadStateAsync(LoadState.Load);
        var pdf = await evidence.Locator("iframe[data-testid=evidence-pdf]").GetAttributeAsync("src");
        s.Page.Frames.Select(f => f.Url).ShouldContain(url => url.EndsWith(pdf!, StringComparison.Ordinal), string.Join(", ", s.Page.Frames.Select(f => f.Url)));
        var served = await s.Page.APIRequest.GetAsync(pdf!);
        served.Headers["content-type"].ShouldBe("application/pdf");
        served.Headers["content-disposition"].ShouldStartWith("inline");
        (await evidence.Locator("a[data-testid=evidence-download]").InnerTextAsync()).ShouldBe("整改清单.csv");
        await s.ScreenshotAsync("decide-closure");

        // Someone else decides meanwhile (here: through the API); this screen's form is now stale.
        var other = await app.ApiAsAsync("t-lg", TodoWorld.Password);
        (await other.PostAsJsonAsync($"/api/items/{app.ClosingToDecide}/events", new { type = "approveClosure", note = "同意" })).EnsureSuccessStatusCode();
        await s.SendItemEventAsync("approveClosure");
        (await s.Page.Locator("[data-testid=decision] .errors").InnerTextAsync()).ShouldContain("已销号");
        (await s.TextAsync("[data-testid=item-state]")).ShouldBe("已销号");
        (await s.TextAsync("[data-testid=decided]")).ShouldContain("同意销号");
        s.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task LongTodo_PagerWalksToTheLastPage_AndReachesTheLastRow()
    {
        await using var s = await app.NewSessionAsync();
        await s.SignInAsync("t-uc", TodoWorld.Password);
        (await s.TextAsync("nav.nav a[data-section=todo] .nav-count")).ShouldStartWith(TodoWorld.PagedItems.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var seen = new List<string>();
        for (var page = 1; ; page++)
        {
            (await s.TextAsync("nav.pager span")).ShouldContain($"第 {page} / 2 页，共 {TodoWorld.PagedItems} 条");
            // Each row reads "number. title"; the campaign numbers its items.
            seen.AddRange((await s.Page.Locator("[data-testid=todo] tbody tr a[data-testid=todo-link]").AllInnerTextsAsync())
                .Select(t => Regex.Replace(t.Trim(), @"^\d+\.\s*", "")));
            var next = s.Page.Locator("nav.pager a[rel=next]");
            if (await next.CountAsync() == 0) break;
            await s.ClickAndWaitForPageAsync(next, new Regex("/todo\\?page=2$"));
        }
        seen.ShouldBe(Enumerable.Range(1, TodoWorld.PagedItems).Select(n => $"章凤镇待签收问题{n:00}"));
        s.ShouldHaveNoConsoleErrors();
    }
}
