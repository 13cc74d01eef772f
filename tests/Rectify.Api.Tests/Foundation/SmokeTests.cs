using System.Net;
using System.Net.Http.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class SmokeTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task HealthReady_AfterStart_Returns200()
    {
        var response = await app.CreateClient().GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Units_CreateThenGet_RoundTrips()
    {
        var admin = await app.AdminAsync();
        var created = await admin.PostAsJsonAsync("/api/units", new { code = "smk", name = "县测试局", kind = "department" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var unit = await admin.GetFromJsonAsync<Dictionary<string, object?>>("/api/units/smk");
        unit!["name"]!.ToString().ShouldBe("县测试局");
    }
}
