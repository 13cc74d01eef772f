using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class DemoApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Rectify:DemoData"] = "true" };
}

public sealed class DemoCampaignTests(DemoApp app) : IClassFixture<DemoApp>
{
    private async Task<(JsonElement Campaign, JsonElement[] Items)> LoadAsync()
    {
        var admin = await app.AdminAsync();
        var campaigns = await (await admin.GetAsync("/api/campaigns")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        campaigns.GetProperty("total").GetInt64().ShouldBe(1);
        var campaign = campaigns.GetProperty("items")[0];
        var items = await (await admin.GetAsync($"/api/items?campaignId={campaign.Str("id")}&pageSize=500")).JsonAsync();
        return (campaign, items.GetProperty("items").EnumerateArray().ToArray());
    }

    [Fact]
    public async Task Demo_HasTheLongchuanMeasuresAsItems()
    {
        var (campaign, items) = await LoadAsync();
        campaign.Str("title").ShouldContain("陇川县");
        items.Length.ShouldBe(13);
        items.Select(i => i.Str("number")).ShouldContain("7.1");
        items.Select(i => i.Str("number")).ShouldContain("7.2");
        campaign.GetProperty("stats").GetProperty("total").GetInt64().ShouldBe(13);
    }

    [Fact]
    public async Task Demo_EveryLeadAndResponsibleUnitExists()
    {
        var admin = await app.AdminAsync();
        var (_, items) = await LoadAsync();
        var codes = items.SelectMany(i => i.GetProperty("units").EnumerateArray().Select(u => u.GetString()!).Append(i.Str("leadUnit"))).Distinct();
        foreach (var code in codes) (await admin.GetAsync($"/api/units/{code}")).StatusCode.ShouldBe(HttpStatusCode.OK, code);
    }

    private static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);

    [Fact]
    public async Task Demo_DeadlinesFallInOrAfterTheRectifyPhase_SomePastSomeThisWeekSomeLater_AndTheOngoingItemHasNone()
    {
        // The demo is dated from the day it was first loaded (issue 13.8): today, for this fixture.
        var (campaign, items) = await LoadAsync();
        var rectify = campaign.GetProperty("phases").EnumerateArray().Single(p => p.Str("key") == "rectify");
        var start = DateOnly.Parse(rectify.Str("start"));
        var deadlines = items.Where(i => !i.GetProperty("ongoing").GetBoolean()).Select(i => DateOnly.Parse(i.Str("deadline"))).ToList();
        deadlines.ShouldAllBe(d => d >= start);
        deadlines.Count(d => d < Today).ShouldBeGreaterThanOrEqualTo(6, "items whose deadline has passed (closed or late)");
        deadlines.Count(d => d >= Today && d <= Today.AddDays(7)).ShouldBeGreaterThanOrEqualTo(2, "items due within the week");
        deadlines.Count(d => d > Today.AddDays(14)).ShouldBeGreaterThanOrEqualTo(1, "an item with time left");
        deadlines.Distinct().Count().ShouldBeGreaterThanOrEqualTo(8, "deadlines spread over the weeks");
        var ongoing = items.Where(i => i.GetProperty("ongoing").GetBoolean()).ToArray();
        ongoing.Length.ShouldBe(1);
        ongoing[0].GetProperty("deadline").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Demo_PhasesFollowThePlan_LaunchedWeeksAgo_ReportStillAhead()
    {
        var (campaign, _) = await LoadAsync();
        var phases = campaign.GetProperty("phases").EnumerateArray().ToDictionary(p => p.Str("key"), p => (Start: DateOnly.Parse(p.Str("start")), End: DateOnly.Parse(p.Str("end"))));
        phases.Keys.ShouldBe(["plan", "rectify", "supervise", "report"]);
        phases.Values.ShouldAllBe(p => p.Start <= p.End);
        phases["plan"].End.ShouldBeLessThan(phases["rectify"].Start);
        phases["rectify"].End.ShouldBeLessThan(phases["supervise"].Start);
        phases["supervise"].End.ShouldBeLessThan(phases["report"].Start);
        // Launched on the first day of the plan phase, some five weeks (25 working days) ago; the report phase is ahead.
        var launched = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(campaign.GetProperty("launchedAt").GetDateTimeOffset(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        launched.ShouldBe(phases["plan"].Start);
        (Today.DayNumber - launched.DayNumber).ShouldBeInRange(28, 60);
        phases["report"].Start.ShouldBeGreaterThan(Today);
        DateOnly.Parse(campaign.Str("noticeDate")).ShouldBeLessThan(launched);
        campaign.Str("documentNumber").ShouldContain($"〔{launched.Year}〕");
    }

    [Theory]
    [InlineData("lgo", "leadingGroup")]
    [InlineData("fpb", "unit")]
    [InlineData("dcs", "supervisor")]
    public async Task Demo_UserOfEachRole_CanSignInAndSeesTheCampaign(string user, string role)
    {
        var client = await app.ClientAsAsync(user, RectifyApp.DemoPassword);
        (await (await client.GetAsync("/api/auth/me")).JsonAsync()).Str("role").ShouldBe(role);
        (await (await client.GetAsync("/api/campaigns")).JsonAsync()).GetProperty("total").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Demo_LoadedTwice_IsNotDuplicated()
    {
        using var scope = app.Services.CreateScope();
        var loader = scope.ServiceProvider.GetRequiredService<Rectify.Api.Demo.DemoLoader>();
        (await loader.LoadOnceAsync(RectifyApp.DemoPassword, CancellationToken.None)).ShouldBeNull();
        var (_, items) = await LoadAsync();
        items.Length.ShouldBe(13);
    }

    [Fact]
    public async Task Demo_PeopleAreInvented_WithExampleAddresses()
    {
        var admin = await app.AdminAsync();
        var people = await (await admin.GetAsync("/api/people?pageSize=500")).JsonAsync();
        foreach (var p in people.GetProperty("items").EnumerateArray())
        {
            var email = p.GetProperty("email").GetString();
            if (email is not null) email.ShouldEndWith("example.cn");
        }
    }
}
