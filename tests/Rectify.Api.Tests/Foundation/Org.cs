using System.Net;
using System.Text.Json;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>Builds a small organisation and campaign through the API, as an office would.</summary>
public sealed class Org(HttpClient admin)
{
    public async Task<string> UnitAsync(string code, string name, string kind = "department", string? parentCode = null)
    {
        (await admin.PostJsonAsync("/api/units", new { code, name, kind, parentCode })).EnsureSuccessStatusCode();
        return code;
    }

    public async Task<Guid> PersonAsync(string name, string unitCode, string? email = null, bool contact = true)
    {
        var body = await (await admin.PostJsonAsync("/api/people", new { name, unitCode, email, isUnitContact = contact })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    public async Task UserAsync(string userName, string role, string? unitCode, string password = "Passw0rd!x", Guid? personId = null)
    {
        (await admin.PostJsonAsync("/api/users", new { userName, password, role, unitCode, personId })).EnsureSuccessStatusCode();
    }

    public async Task<Guid> CampaignAsync(string issuedBy, string? supervision = null, string title = "测试整改工作")
    {
        var body = await (await admin.PostJsonAsync("/api/campaigns", new
        {
            title,
            documentNumber = "测开组〔2026〕1号",
            issuedByUnit = issuedBy,
            supervisionUnit = supervision,
            noticeDate = "2026-05-09",
            phases = new[]
            {
                new { key = "plan", start = "2026-05-10", end = "2026-05-13" },
                new { key = "rectify", start = "2026-05-14", end = "2026-06-10" },
            },
        })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> ItemAsync(Guid campaignId, string title, string leadUnit, string[]? units = null, string? deadline = "2026-06-10", bool ongoing = false)
    {
        return await (await admin.PostJsonAsync($"/api/campaigns/{campaignId}/items", new { title, leadUnit, units = units ?? [], deadline, ongoing }))
            .ShouldHaveStatusAsync(HttpStatusCode.Created);
    }
}
