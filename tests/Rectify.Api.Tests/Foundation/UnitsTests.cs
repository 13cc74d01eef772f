using System.Net;
using System.Net.Http.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class UnitsTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task Create_ThenGet_ReturnsTheUnit()
    {
        var admin = await app.AdminAsync();
        var created = await (await admin.PostJsonAsync("/api/units", new { code = "u-cz", name = "县财政局", kind = "department" }))
            .ShouldHaveStatusAsync(HttpStatusCode.Created);
        created.Str("name").ShouldBe("县财政局");
        var unit = await (await admin.GetAsync("/api/units/u-cz")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        unit.Str("kind").ShouldBe("department");
    }

    [Fact]
    public async Task Create_DuplicateCode_Returns409()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UnitAsync("u-dup", "县甲局");
        var problem = await (await admin.PostJsonAsync("/api/units", new { code = "u-dup", name = "县乙局", kind = "department" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem.Str("detail").ShouldContain("已存在");
    }

    [Fact]
    public async Task Get_UnknownCode_Returns404()
    {
        var admin = await app.AdminAsync();
        await (await admin.GetAsync("/api/units/no-such-unit")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"code":"u1","name":"甲","kind":"ministry"}""", "kind")]
    [InlineData("""{"code":"u1","kind":"department"}""", "name")]
    [InlineData("""{"code":"u 1","name":"甲","kind":"department"}""", "code")]
    [InlineData("""{"code":"u1","name":"甲\u0007乙","kind":"department"}""", "name")]
    [InlineData("""{"code":"u1","name":123,"kind":"department"}""", "name")]
    public async Task Create_BadField_Returns400NamingTheField(string json, string field)
    {
        var admin = await app.AdminAsync();
        await (await admin.PostRawAsync("/api/units", json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Create_OverlongName_Returns400()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostJsonAsync("/api/units", new { code = "u-long", name = new string('局', 5000), kind = "department" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "name");
    }

    [Theory]
    [InlineData("{\"code\":\"u1\",")]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    public async Task Create_MalformedJson_Returns400InChinese(string raw)
    {
        var admin = await app.AdminAsync();
        var problem = await (await admin.PostRawAsync("/api/units", raw)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.Str("title").ShouldContain("请求格式有误");
    }

    [Fact]
    public async Task Create_UnknownParent_Returns422NamingParentCode()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostJsonAsync("/api/units", new { code = "u-v1", name = "某村", kind = "village", parentCode = "nowhere" }))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "parentCode");
    }

    [Fact]
    public async Task Update_ChangesNameAndRefusesCycles()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("u-town", "某镇", "township");
        await org.UnitAsync("u-vil", "某村", "village", "u-town");
        (await admin.PutAsJsonAsync("/api/units/u-vil", new { name = "某某村", kind = "village", parentCode = "u-town" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await admin.GetAsync("/api/units/u-vil")).JsonAsync()).Str("name").ShouldBe("某某村");
        await (await admin.PutAsJsonAsync("/api/units/u-town", new { name = "某镇", kind = "township", parentCode = "u-vil" }))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "parentCode");
    }

    [Fact]
    public async Task Update_UnknownUnit_Returns404()
    {
        var admin = await app.AdminAsync();
        await (await admin.PutAsJsonAsync("/api/units/ghost", new { name = "无", kind = "other" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_FiltersByKindAndPages()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        for (var n = 0; n < 3; n++) await org.UnitAsync($"u-tw{n}", $"第{n}镇", "township");
        var page = await (await admin.GetAsync("/api/units?kind=township&pageSize=2")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        page.GetProperty("total").GetInt64().ShouldBeGreaterThanOrEqualTo(3);
        page.GetProperty("items").GetArrayLength().ShouldBe(2);
        foreach (var u in page.GetProperty("items").EnumerateArray()) u.Str("kind").ShouldBe("township");
    }

    [Fact]
    public async Task Create_ByUnitUser_Returns403()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("u-own", "本单位");
        await org.UserAsync("unit-own", "unit", "u-own");
        var unitUser = await app.ClientAsAsync("unit-own", "Passw0rd!x");
        await (await unitUser.PostJsonAsync("/api/units", new { code = "u-x", name = "某", kind = "other" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Changes_AreJournaledWithActor()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UnitAsync("u-journal", "县审计局");
        await using var db = app.Database.CreateDataSource();
        await using var cmd = db.CreateCommand("select actor from admin_journal where entity = 'unit' and entity_id = 'u-journal'");
        ((string?)await cmd.ExecuteScalarAsync()).ShouldBe("admin");
    }
}
