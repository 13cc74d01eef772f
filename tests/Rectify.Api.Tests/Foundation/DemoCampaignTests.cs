using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
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

    [Fact]
    public async Task Demo_DeadlinesFallInOrAfterTheRectifyPhase_AndTheOngoingItemHasNone()
    {
        var (campaign, items) = await LoadAsync();
        var rectify = campaign.GetProperty("phases").EnumerateArray().Single(p => p.Str("key") == "rectify");
        var start = DateOnly.Parse(rectify.Str("start"));
        var year = start.Year;
        foreach (var item in items.Where(i => !i.GetProperty("ongoing").GetBoolean()))
        {
            var deadline = DateOnly.Parse(item.Str("deadline"));
            deadline.ShouldBeGreaterThanOrEqualTo(start, item.Str("title"));
            deadline.Year.ShouldBe(year);
        }
        var ongoing = items.Where(i => i.GetProperty("ongoing").GetBoolean()).ToArray();
        ongoing.Length.ShouldBe(1);
        ongoing[0].GetProperty("deadline").ValueKind.ShouldBe(JsonValueKind.Null);
        items.Select(i => i.Str("deadline")).Where(d => d.Length > 0).Distinct().Select(d => d[5..]).Order().ShouldBe(["06-10", "09-30"]);
    }

    [Fact]
    public async Task Demo_PhasesFollowThePlan()
    {
        var (campaign, _) = await LoadAsync();
        var phases = campaign.GetProperty("phases").EnumerateArray().ToDictionary(p => p.Str("key"), p => (p.Str("start")[5..], p.Str("end")[5..]));
        phases["plan"].ShouldBe(("05-10", "05-13"));
        phases["rectify"].ShouldBe(("05-14", "06-10"));
        phases["supervise"].ShouldBe(("06-10", "06-15"));
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
