using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Api.Tests.Import;

public sealed record ItemView(
    Guid Id, string? Number, string? Category, string Title, string? Description, string? Measures, string? Target,
    PersonView? ResponsibleLeader, string LeadUnit, string[] Units, DateOnly? Deadline, DateOnly? EffectiveDeadline, bool Ongoing, string State,
    string? Source = null, string? DeadlineText = null, MilestoneView[]? Milestones = null);

public sealed record MilestoneView(int Seq, DateOnly Date, string Text, DateTimeOffset? DoneAt, string? DoneUnit);

public sealed record PersonView(Guid Id, string Name);

public sealed record ImportErrorView(int Row, string Field, string? Cell, string Message);

public sealed record ImportResponse(int Imported, ImportErrorView[] Errors);

/// <summary>The organisation the document tests share (a county of 2018) and small helpers over the HTTP API.</summary>
public static class DocumentsSeed
{
    public static readonly (string Code, string Name, string Kind)[] Units =
    [
        ("lgo", "县扶贫开发领导小组办公室", "leadingGroup"), ("dcs", "县委督查室", "supervisionOffice"),
        ("fpb", "县扶贫办", "department"), ("czj", "县财政局", "department"), ("mzj", "县民政局", "department"),
        ("jyj", "县教育局", "department"), ("zfz", "章凤镇", "township"), ("hsz", "户撒乡", "township"),
    ];

    public static async Task<Dictionary<string, Guid>> OrganisationAsync(HttpClient admin)
    {
        foreach (var (code, name, kind) in Units)
        {
            var response = await admin.PostAsJsonAsync("/api/units", new { code, name, kind });
            if (response.StatusCode != HttpStatusCode.Conflict) response.EnsureSuccessStatusCode();
        }
        var people = new Dictionary<string, Guid>();
        foreach (var (name, unit) in new[] { ("张三", "lgo"), ("李四", "fpb") })
        {
            var list = await admin.GetFromJsonAsync<JsonElement>($"/api/people?q={Uri.EscapeDataString(name)}");
            var existing = list.GetProperty("items").EnumerateArray().FirstOrDefault(p => p.GetProperty("name").GetString() == name);
            if (existing.ValueKind == JsonValueKind.Object) { people[name] = existing.GetProperty("id").GetGuid(); continue; }
            var created = await admin.PostAsJsonAsync("/api/people", new { name, unitCode = unit, title = "副县长" });
            created.EnsureSuccessStatusCode();
            people[name] = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        return people;
    }

    public static async Task<Guid> CampaignAsync(HttpClient admin, string title = "扶贫开发工作成效考核反馈问题整改", string? noticeDate = "2018-05-09")
    {
        var response = await admin.PostAsJsonAsync("/api/campaigns", new
        {
            title, documentNumber = "陇开组〔2018〕12号", issuedByUnit = "lgo", supervisionUnit = "dcs", noticeDate,
            workflow = new { id = "rectification-campaign" },
            phases = new[] { new { key = "plan", start = "2018-05-10", end = "2018-05-13" }, new { key = "rectify", start = "2018-05-14", end = "2018-06-10" } },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<HttpResponseMessage> ImportAsync(HttpClient client, Guid campaignId, byte[] content, string fileName, bool dryRun = false)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/octet-stream");
        form.Add(file, "file", fileName);
        return await client.PostAsync($"/api/campaigns/{campaignId}/items/import{(dryRun ? "?dryRun=true" : "")}", form);
    }

    public static async Task<List<ItemView>> ItemsAsync(HttpClient client, Guid campaignId)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/items?campaignId={campaignId}&pageSize=500");
        return page.GetProperty("items").Deserialize<List<ItemView>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public static async Task<ImportResponse> ReadImportAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ImportResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
}
