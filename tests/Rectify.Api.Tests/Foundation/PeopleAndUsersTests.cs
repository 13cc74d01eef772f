using System.Net;
using System.Net.Http.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class PeopleAndUsersTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task Person_CreateGetUpdate_RoundTrips()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UnitAsync("p-u1", "县民政局");
        var created = await (await admin.PostJsonAsync("/api/people", new
        {
            name = "王小明", title = "副局长", unitCode = "p-u1", email = "wxm@mz.example.cn", mobile = "13800000001", isUnitContact = true,
        })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var person = await (await admin.GetAsync($"/api/people/{id}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        person.Str("email").ShouldBe("wxm@mz.example.cn");
        person.GetProperty("isUnitContact").GetBoolean().ShouldBeTrue();
        var updated = await (await admin.PutAsJsonAsync($"/api/people/{id}", new { name = "王小明", unitCode = "p-u1", title = "局长" }))
            .ShouldHaveStatusAsync(HttpStatusCode.OK);
        updated.Str("title").ShouldBe("局长");
    }

    [Fact]
    public async Task Person_UnknownUnit_Returns422()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostJsonAsync("/api/people", new { name = "李四", unitCode = "ghost" })).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "unitCode");
    }

    [Theory]
    [InlineData("email", "not-an-email")]
    [InlineData("mobile", "call me")]
    [InlineData("wecomWebhook", "javascript:alert(1)")]
    public async Task Person_BadContact_Returns400(string field, string value)
    {
        var admin = await app.AdminAsync();
        var unit = "p-" + field.ToLowerInvariant();
        await new OrgBuilder(admin).UnitAsync(unit, "县教育局");
        var body = new Dictionary<string, object> { ["name"] = "张三", ["unitCode"] = unit, [field] = value };
        await (await admin.PostJsonAsync("/api/people", body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Person_UnknownId_Returns404()
    {
        var admin = await app.AdminAsync();
        await (await admin.GetAsync($"/api/people/{Guid.NewGuid()}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await admin.GetAsync("/api/people/not-a-guid")).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task People_ListFiltersByUnit()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("p-a", "甲局");
        await org.UnitAsync("p-b", "乙局");
        await org.PersonAsync("甲一", "p-a");
        await org.PersonAsync("乙一", "p-b");
        var page = await (await admin.GetAsync("/api/people?unit=p-a")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        page.GetProperty("items").EnumerateArray().Select(p => p.Str("name")).ShouldBe(["甲一"]);
    }

    [Fact]
    public async Task User_CreatedByAdmin_CanSignIn()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UnitAsync("p-lg", "领导小组办公室", "leadingGroup");
        await (await admin.PostJsonAsync("/api/users", new { userName = "office1", password = "Sup3rSecret!", role = "leadingGroup", unitCode = "p-lg" }))
            .ShouldHaveStatusAsync(HttpStatusCode.Created);
        var client = await app.ClientAsAsync("office1", "Sup3rSecret!");
        var me = await (await client.GetAsync("/api/auth/me")).JsonAsync();
        me.Str("unitCode").ShouldBe("p-lg");
    }

    [Fact]
    public async Task User_DuplicateName_Returns409()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostJsonAsync("/api/users", new { userName = "twice", password = "Sup3rSecret!", role = "admin" })).EnsureSuccessStatusCodeAsync();
        await (await admin.PostJsonAsync("/api/users", new { userName = "TWICE", password = "Sup3rSecret!", role = "admin" })).ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"userName":"x1","password":"short","role":"admin"}""", "password")]
    [InlineData("""{"userName":"x1","password":"longenough1","role":"god"}""", "role")]
    [InlineData("""{"userName":"x1","password":"longenough1","role":"unit"}""", "unitCode")]
    public async Task User_BadFields_Returns400(string json, string field)
    {
        var admin = await app.AdminAsync();
        await (await admin.PostRawAsync("/api/users", json)).ShouldBeProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task User_CreatedByNonAdmin_Returns403()
    {
        var admin = await app.AdminAsync();
        await new OrgBuilder(admin).UnitAsync("p-lg2", "领导小组办公室二", "leadingGroup");
        await new OrgBuilder(admin).UserAsync("office2", "leadingGroup", "p-lg2");
        var office = await app.ClientAsAsync("office2", "Passw0rd!x");
        await (await office.PostJsonAsync("/api/users", new { userName = "sneaky", password = "Sup3rSecret!", role = "admin" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}

internal static class ResponseExtensions
{
    public static async Task EnsureSuccessStatusCodeAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
