using System.Net;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

public sealed class HostingTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task HealthLive_Always_Returns200()
    {
        (await app.CreateClient().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HealthReady_AfterMigrations_ReportsHealthy()
    {
        var response = await app.CreateClient().GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheContractEndpoints()
    {
        var doc = await (await app.CreateClient().GetAsync("/openapi/v1.json")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/auth/token", "/api/units", "/api/people", "/api/users", "/api/campaigns", "/api/items" })
            paths.TryGetProperty(path, out _).ShouldBeTrue($"{path} missing from the OpenAPI document");
    }

    [Fact]
    public async Task SwaggerUi_IsServed()
    {
        var response = await app.CreateClient().GetAsync("/swagger/index.html");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("swagger-ui");
    }

    [Fact]
    public async Task ApiWithoutToken_Returns401Problem()
    {
        await (await app.CreateClient().GetAsync("/api/units")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AdminClock_WhenNotControllable_Returns404()
    {
        var admin = await app.AdminAsync();
        await (await admin.GetAsync("/api/admin/clock")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}
