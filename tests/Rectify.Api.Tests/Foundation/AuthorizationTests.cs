using System.Net;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Each role sees exactly its part: two offices, two supervision offices, two units, two launched campaigns and one draft
/// (a draft is its office's work in progress: the units it names do not see it until it is launched, issue 19).
/// </summary>
public sealed class AuthorizationWorld : RectifyApp
{
    public Guid CampaignA, CampaignB, DraftA;
    public string ItemOfFp = "", ItemOfCz = "", ItemShared = "", DraftItemOfFp = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var admin = await AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("a-lg", "甲县领导小组办公室", "leadingGroup");
        await org.UnitAsync("b-lg", "乙县领导小组办公室", "leadingGroup");
        await org.UnitAsync("a-dc", "甲县督查室", "supervisionOffice");
        await org.UnitAsync("b-dc", "乙县督查室", "supervisionOffice");
        await org.UnitAsync("a-fp", "甲县扶贫办");
        await org.UnitAsync("a-cz", "甲县财政局");
        await org.UserAsync("lg-a", "leadingGroup", "a-lg");
        await org.UserAsync("lg-b", "leadingGroup", "b-lg");
        await org.UserAsync("sup-a", "supervisor", "a-dc");
        await org.UserAsync("sup-b", "supervisor", "b-dc");
        await org.UserAsync("unit-fp", "unit", "a-fp");
        await org.UserAsync("unit-cz", "unit", "a-cz");
        CampaignA = await org.CampaignAsync("a-lg", "a-dc", "甲县整改");
        CampaignB = await org.CampaignAsync("b-lg", "b-dc", "乙县整改");
        ItemOfFp = (await org.ItemAsync(CampaignA, "扶贫办牵头", "a-fp")).Str("id");
        ItemOfCz = (await org.ItemAsync(CampaignA, "财政局牵头", "a-cz")).Str("id");
        ItemShared = (await org.ItemAsync(CampaignA, "财政局牵头扶贫办配合", "a-cz", ["a-fp"])).Str("id");
        await org.ItemAsync(CampaignB, "乙县的问题", "a-cz");
        DraftA = await org.CampaignAsync("a-lg", "a-dc", "甲县第二批整改（草稿）");
        DraftItemOfFp = (await org.ItemAsync(DraftA, "草稿里扶贫办的问题", "a-fp", ["a-cz"])).Str("id");
        (await admin.PostAsync($"/api/campaigns/{CampaignA}/launch", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/campaigns/{CampaignB}/launch", null)).EnsureSuccessStatusCode();
    }
}

public sealed class AuthorizationTests(AuthorizationWorld app) : IClassFixture<AuthorizationWorld>
{
    private Guid campaignA => app.CampaignA;
    private Guid campaignB => app.CampaignB;
    private string itemOfFp => app.ItemOfFp;
    private string itemOfCz => app.ItemOfCz;
    private string itemShared => app.ItemShared;
    private Guid draftA => app.DraftA;
    private string draftItemOfFp => app.DraftItemOfFp;

    private Task<HttpClient> As(string user) => app.ClientAsAsync(user, "Passw0rd!x");

    private static async Task<string[]> TitlesAsync(HttpClient client, string url) =>
        (await (await client.GetAsync(url)).ShouldHaveStatusAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(i => i.Str("title")).Order().ToArray();

    [Fact]
    public async Task UnitUser_SeesOnlyItemsItLeadsOrShares()
    {
        var fp = await As("unit-fp");
        (await TitlesAsync(fp, "/api/items")).ShouldBe(new[] { "扶贫办牵头", "财政局牵头扶贫办配合" }.Order().ToArray());
    }

    [Fact]
    public async Task UnitUser_ReadingAnotherUnitsItemById_Gets404()
    {
        var fp = await As("unit-fp");
        await (await fp.GetAsync($"/api/items/{itemOfCz}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await fp.GetAsync($"/api/items/{itemShared}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fp.GetAsync($"/api/items/{itemOfFp}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnitUser_SeesCampaignsContainingItsItems_WithStatsOfItsItemsOnly()
    {
        var fp = await As("unit-fp");
        (await TitlesAsync(fp, "/api/campaigns")).ShouldBe(["甲县整改"]);
        var c = await (await fp.GetAsync($"/api/campaigns/{campaignA}")).JsonAsync();
        c.GetProperty("stats").GetProperty("total").GetInt64().ShouldBe(2);
        await (await fp.GetAsync($"/api/campaigns/{campaignB}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnitUser_DoesNotSeeDraftCampaignsOrTheirItems_TheOfficesDo()
    {
        foreach (var unit in new[] { "unit-fp", "unit-cz" })
        {
            var client = await As(unit);
            (await TitlesAsync(client, "/api/campaigns")).ShouldNotContain("甲县第二批整改（草稿）");
            (await TitlesAsync(client, "/api/items")).ShouldNotContain("草稿里扶贫办的问题");
            await (await client.GetAsync($"/api/campaigns/{draftA}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync($"/api/items/{draftItemOfFp}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        }
        foreach (var office in new[] { "lg-a", "sup-a" })
        {
            var client = await As(office);
            (await TitlesAsync(client, "/api/campaigns")).ShouldContain("甲县第二批整改（草稿）");
            (await client.GetAsync($"/api/items/{draftItemOfFp}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task CzUnit_SeesItemsInBothCounties()
    {
        var cz = await As("unit-cz");
        (await TitlesAsync(cz, "/api/campaigns")).ShouldBe(new[] { "乙县整改", "甲县整改" }.Order().ToArray());
    }

    [Fact]
    public async Task Supervisor_SeesOnlyTheCampaignsItSupervises()
    {
        var supA = await As("sup-a");
        (await TitlesAsync(supA, "/api/campaigns")).ShouldBe(new[] { "甲县整改", "甲县第二批整改（草稿）" }.Order().ToArray());
        (await TitlesAsync(supA, "/api/items")).Length.ShouldBe(4);
        await (await supA.GetAsync($"/api/campaigns/{campaignB}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task LeadingGroup_SeesOnlyCampaignsItIssued()
    {
        var lgB = await As("lg-b");
        (await TitlesAsync(lgB, "/api/campaigns")).ShouldBe(["乙县整改"]);
        await (await lgB.GetAsync($"/api/items/{itemOfFp}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task LeadingGroup_CannotIssueInAnotherOfficesName()
    {
        var lgA = await As("lg-a");
        await (await lgA.PostJsonAsync("/api/campaigns", new { title = "冒名", issuedByUnit = "b-lg" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task LeadingGroup_CannotAddItemsToAnotherOfficesCampaign_WhichDoesNotExistForIt()
    {
        var lgA = await As("lg-a");
        await (await lgA.PostJsonAsync($"/api/campaigns/{campaignB}/items", new { title = "X", leadUnit = "a-fp", deadline = "2026-06-10" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnitUser_CannotCreateCampaignsOrItems()
    {
        var fp = await As("unit-fp");
        await (await fp.PostJsonAsync("/api/campaigns", new { title = "X", issuedByUnit = "a-fp" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await fp.PostJsonAsync($"/api/campaigns/{campaignA}/items", new { title = "X", leadUnit = "a-fp", deadline = "2026-06-10" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Supervisor_CannotEditItems()
    {
        var supA = await As("sup-a");
        await (await supA.DeleteAsync($"/api/items/{itemOfFp}")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}
