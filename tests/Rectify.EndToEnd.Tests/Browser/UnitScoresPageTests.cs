using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.TestSupport;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// The unit ranking of the demo campaign (issue 12): reached from the dashboard, every score shown with its arithmetic
/// (lines that add up to it), grades that differ, the same figures as the API; a unit user sees its own row only.
/// </summary>
public sealed partial class UnitScoresPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [GeneratedRegex(@"= ([+−])(\d+(?:\.\d+)?)$")]
    private static partial Regex Points();

    [GeneratedRegex(@"^基础分：(\d+)$")]
    private static partial Regex Base();

    [Fact]
    public async Task Ranking_FromTheDashboard_ShowsEachScoresArithmetic_AndAUnitSeesItsOwnRow()
    {
        var api = await app.ApiAsAsync("lgo", RectifyApp.DemoPassword);
        var campaign = (await api.GetFromJsonAsync<JsonElement>("/api/campaigns")).GetProperty("items")[0].GetProperty("id").GetString();
        var scores = (await api.GetFromJsonAsync<JsonElement>($"/api/campaigns/{campaign}/units")).EnumerateArray().ToList();

        await using var office = await app.NewSessionAsync();
        await office.SignInAsync("lgo", RectifyApp.DemoPassword);
        await office.GoAsync($"/campaigns/{campaign}?allUnits=true");
        // The dashboard's late units are the units with a part of their own behind, the same count as the API's figures.
        var lateUnits = office.Page.Locator("[data-testid=late-units] tbody tr");
        (await lateUnits.CountAsync()).ShouldBe(scores.Count(s => s.GetProperty("overdue").GetInt32() > 0));
        foreach (var done in scores.Where(s => s.GetProperty("overdue").GetInt32() == 0).Take(5))
            (await lateUnits.Filter(new() { HasText = done.GetProperty("unitName").GetString() }).CountAsync()).ShouldBe(0, done.GetProperty("unit").GetString());

        await office.ClickAndWaitForPageAsync(office.Page.GetByRole(AriaRole.Link, new() { Name = "单位得分与等次" }), new Regex("/campaigns/[0-9a-f-]{36}/units$"));
        (await office.TextAsync("h1")).ShouldBe("单位得分与等次");
        (await office.TextAsync("[data-testid=scoring-rules]")).ShouldContain("90 分及以上为“好”");
        var rows = office.Page.Locator("[data-testid=unit-ranking] tbody tr");
        (await rows.CountAsync()).ShouldBe(scores.Count);
        var grades = new HashSet<string>();
        for (var n = 0; n < scores.Count; n++)
        {
            var row = rows.Nth(n);
            var expected = scores[n];
            (await row.GetAttributeAsync("data-unit")).ShouldBe(expected.GetProperty("unit").GetString());
            var score = double.Parse((await row.Locator("[data-testid=unit-score]").InnerTextAsync()).Trim(), CultureInfo.InvariantCulture);
            score.ShouldBe(expected.GetProperty("score").GetDouble());
            var grade = (await row.Locator("[data-testid=unit-grade]").InnerTextAsync()).Trim();
            grade.ShouldBe(expected.GetProperty("grade").GetString());
            grades.Add(grade);

            // The arithmetic as a person reads it: the base, then "quantity × points = ±result" per rule, and the total.
            var lines = (await row.Locator("[data-testid=unit-breakdown] li").AllInnerTextsAsync()).Select(l => l.Trim()).ToList();
            var sum = double.Parse(Base().Match(lines[0]).Groups[1].Value, CultureInfo.InvariantCulture);
            foreach (var line in lines.Skip(1).TakeWhile(l => !l.StartsWith("合计", StringComparison.Ordinal)))
            {
                var m = Points().Match(line);
                m.Success.ShouldBeTrue(line);
                sum += (m.Groups[1].Value == "+" ? 1 : -1) * double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
            Math.Clamp(sum, 0, 100).ShouldBe(score, string.Join(" | ", lines));
            lines.Single(l => l.StartsWith("合计", StringComparison.Ordinal)).ShouldEndWith($"→ {grade}");
        }
        grades.Count.ShouldBeGreaterThanOrEqualTo(2, "the demo's units should not all have one grade");
        await office.ScreenshotAsync("unit-ranking");
        office.ShouldHaveNoConsoleErrors();

        // 章凤镇's user: its own row and rank only, and a word on why.
        await using var unit = await app.NewSessionAsync();
        await unit.SignInAsync("zfz", RectifyApp.DemoPassword);
        await unit.GoAsync($"/campaigns/{campaign}/units");
        var own = unit.Page.Locator("[data-testid=unit-ranking] tbody tr");
        (await own.CountAsync()).ShouldBe(1);
        (await own.First.GetAttributeAsync("data-unit")).ShouldBe("zfz");
        (await unit.TextAsync("[data-testid=own-row-only]")).ShouldContain("只显示本单位");
        unit.ShouldHaveNoConsoleErrors();
    }
}
