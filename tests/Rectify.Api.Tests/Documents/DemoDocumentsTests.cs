using System.Net.Http.Json;
using System.Text.Json;
using Rectify.Api.Features.Documents;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Documents;

public sealed class DemoApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Rectify:DemoData"] = "true" };
}

/// <summary>What the issue says must show: the demo campaign's ledger and a final report whose figures match the API.</summary>
public sealed class DemoDocumentsTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Fact]
    public async Task DemoCampaign_LedgerHasOneRowPerItem_FinalReportStatesTheApiFigures()
    {
        var admin = await app.AdminAsync();
        var campaigns = await admin.GetFromJsonAsync<JsonElement>("/api/campaigns");
        var campaign = campaigns.GetProperty("items").EnumerateArray().Single();
        var id = campaign.GetProperty("id").GetGuid();
        var stats = campaign.GetProperty("stats");
        var total = stats.GetProperty("total").GetInt32();
        total.ShouldBeGreaterThan(0);

        var ledger = await admin.GetByteArrayAsync($"/api/campaigns/{id}/ledger.xlsx");
        OpenXmlChecks.SpreadsheetErrors(ledger).ShouldBeEmpty();
        var rows = OpenXmlChecks.Rows(ledger);
        rows[1].ShouldBe(LedgerApi.Columns.Select(c => c.Header).ToArray());
        rows.Count.ShouldBe(2 + total);

        var report = await admin.GetByteArrayAsync($"/api/campaigns/{id}/report.docx?kind=final");
        OpenXmlChecks.WordErrors(report).ShouldBeEmpty();
        var text = DocxText.Read(report).All;
        var onTime = stats.GetProperty("closedOnTime").GetInt32();
        var late = stats.GetProperty("closedLate").GetInt32();
        text.ShouldContain($"本次整改共梳理问题{total}项。");
        text.ShouldContain($"已整改销号{onTime + late}项，其中按期销号{onTime}项、逾期销号{late}项，");
        text.ShouldContain($"尚未销号{total - onTime - late}项，其中超过整改时限未销号{stats.GetProperty("overdue").GetInt32()}项；");

        // As of the last day of the campaign's phases (when that day has come), the report still counts every item.
        var end = campaign.GetProperty("phases").EnumerateArray().Max(p => DateOnly.Parse(p.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        if (end <= today)
        {
            var atEnd = DocxText.Read(await admin.GetByteArrayAsync($"/api/campaigns/{id}/report.docx?kind=final&asOf={end:yyyy-MM-dd}"));
            atEnd.All.ShouldContain($"本次整改共梳理问题{total}项。");
        }
    }
}
