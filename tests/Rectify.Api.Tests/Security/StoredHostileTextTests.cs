using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Tests.Documents;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// Issue 19, defect 5: one progress note with U+FFFE made ledger.xlsx answer 500 to every role. Input now refuses such
/// characters (HostileInputTests), but rows stored before exist: here they are written straight into the database and
/// every document builder still answers 200 with a valid document, for every role that may fetch it.
/// </summary>
public sealed class StoredHostileTextTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private const string Bad = "坏\uFFFE字\uFFFF符\u0001\u001F\u202E\u200B\uFEFF尾";

    [Fact]
    public async Task XmlInvalidAndBidiCharactersStoredBeforeTheFix_EveryDocumentStillValid_ForEveryRole()
    {
        var admin = await app.AdminAsync();
        var campaign = await LedgerTests.CampaignWithHistoryAsync(app, admin, "存量坏字符整改");
        foreach (var (user, role, unit) in new[] { ("sx-lgo", "leadingGroup", "lgo"), ("sx-dcs", "supervisor", "dcs"), ("sx-czj", "unit", "czj") })
            (await admin.PostAsJsonAsync("/api/users", new { userName = user, password = "Passw0rd!x", role, unitCode = unit })).EnsureSuccessStatusCode();
        Guid escalation;
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await connection.ExecuteAsync("""
                update campaigns set title = title || @bad, document_number = '陇开组' || @bad where id = @campaign;
                update items set title = title || @bad, description = @bad, measures = @bad, target = @bad, category = @bad where campaign_id = @campaign;
                update units set name = name || @bad where code in ('czj', 'dcs');
                update people set name = name || @bad;
                insert into journal(campaign_id, item_id, at, actor, type, note, data)
                select campaign_id, id, '2018-05-20T02:00:00Z', 'czj', 'progress', '进展' || @bad, '{}'::jsonb from items where campaign_id = @campaign;
                update escalations set note = @bad where campaign_id = @campaign;
                """, new { campaign, bad = Bad });
            escalation = await connection.ExecuteScalarAsync<Guid>("select id from escalations where campaign_id = @campaign", new { campaign });
        }

        var clients = new Dictionary<string, HttpClient>
        {
            ["admin"] = admin, ["leadingGroup"] = await app.ClientAsAsync("sx-lgo", "Passw0rd!x"),
            ["supervisor"] = await app.ClientAsAsync("sx-dcs", "Passw0rd!x"), ["unit"] = await app.ClientAsAsync("sx-czj", "Passw0rd!x"),
        };
        var documents = new (string Name, string Url, Func<byte[], List<string>> Check)[]
        {
            ("ledger", $"/api/campaigns/{campaign}/ledger.xlsx", OpenXmlChecks.SpreadsheetErrors),
            ("report", $"/api/campaigns/{campaign}/report.docx?kind=final&asOf=2018-06-20", OpenXmlChecks.WordErrors),
            ("letter", $"/api/escalations/{escalation}/letter.docx", OpenXmlChecks.WordErrors),
            ("calendar", "/api/units/czj/deadlines.ics", IcsErrors),
        };
        var served = new List<string>();
        foreach (var (role, client) in clients)
        {
            foreach (var (name, url, check) in documents)
            {
                var response = await client.GetAsync(url);
                var status = (int)response.StatusCode;
                status.ShouldBeLessThan(500, $"{name} as {role}: {await response.Content.ReadAsStringAsync()}");
                if (role == "admin" || (role == "leadingGroup" && name != "calendar") || (role == "unit" && name is "ledger" or "calendar" or "letter"))
                    status.ShouldBe(200, $"{name} as {role}");
                if (status != 200) continue;
                var bytes = await response.Content.ReadAsByteArrayAsync();
                check(bytes).ShouldBeEmpty($"{name} as {role}");
                served.Add($"{name}/{role}");
            }
        }
        served.Count.ShouldBeGreaterThanOrEqualTo(10);

        // The text itself survives without the characters a document cannot hold.
        var cells = OpenXmlChecks.Rows(await admin.GetByteArrayAsync($"/api/campaigns/{campaign}/ledger.xlsx")).SelectMany(r => r).ToList();
        cells.ShouldContain(c => c.Contains("坏字符", StringComparison.Ordinal));
        cells.ShouldNotContain(c => c.Contains('\uFFFE') || c.Contains('\uFFFF') || c.Contains('\u0001'));
        var ics = await admin.GetStringAsync("/api/units/czj/deadlines.ics");
        ics.ShouldNotContain("\u202E");
        ics.ShouldNotContain("\u0001");
    }

    private static List<string> IcsErrors(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var errors = new List<string>();
        if (!text.StartsWith("BEGIN:VCALENDAR\r\n", StringComparison.Ordinal) || !text.TrimEnd().EndsWith("END:VCALENDAR", StringComparison.Ordinal)) errors.Add("not a calendar");
        // RFC 5545 TEXT: no control characters but tab (CR LF only as line ends), none of the invisible formatting ones.
        var body = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (body.Any(c => (c < 0x20 && c is not '\n' and not '\t') || c is '\uFFFE' or '\uFFFF' or '\u202E' or '\u200B' or '\uFEFF')) errors.Add("control or formatting character");
        return errors;
    }
}
