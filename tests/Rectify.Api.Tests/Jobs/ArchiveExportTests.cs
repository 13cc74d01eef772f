using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Jobs;
using Rectify.Api.Tests.Documents;
using Rectify.TestSupport;
using Org = Rectify.Api.Tests.Runtime.Org;
using RuntimeApp = Rectify.Api.Tests.Runtime.RuntimeApp;

namespace Rectify.Api.Tests.Jobs;

/// <summary>
/// A closed campaign exported as one .zip by a background task (issues 13.6 and 16.2): every entry is where it should be
/// under its Chinese name (UTF-8 flag set), the ledger and reports open as Office would open them, the evidence is byte
/// for byte what was uploaded, the manifest lists it all; running the job again (finished, or after a crash) changes
/// nothing; units cannot export.
/// </summary>
public sealed class ArchiveExportTests(JobsApp app) : IClassFixture<JobsApp>
{
    private static Task<HttpResponseMessage> Send(HttpClient client, Guid item, object body) => client.PostAsJsonAsync($"/api/items/{item}/events", body);

    private static async Task<Guid> UploadAsync(HttpClient client, string path, string name, byte[] bytes) =>
        (await (await client.PostAsync(path, new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", name } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    private static readonly byte[] Photo = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. "整改前后对比照片"u8];
    private static readonly byte[] Table1 = "%PDF-1.7 危房改造台账（第一版）"u8.ToArray();
    private static readonly byte[] Table2 = "%PDF-1.7 危房改造台账（修订版）"u8.ToArray();

    private static readonly byte[] PlanDocx = Docx();

    private static byte[] Docx()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        using (var w = new StreamWriter(zip.CreateEntry("word/document.xml").Open())) w.Write("<w:document/>");
        return buffer.ToArray();
    }

    [Fact]
    public async Task ClosedCampaign_ExportsAsOneZip_WithEveryEntry_AndASecondRunChangesNothing()
    {
        var org = await Org.CreateAsync(app, "arc");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, items) = await org.CampaignAsync([org.Item("农村危房改造不到位", "2026-06-05"), org.Item("饮水安全台账不实", "2026-06-30")], "归档导出测试",
            phases: [new { key = "plan", start = "2026-06-01", end = "2026-06-03" }]);
        var (done, gone) = (items[0], items[1]);
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();

        // Evidence (a name used twice), a unit plan handed in, and a supervision letter once the item is four working days late.
        var photo = await UploadAsync(org.UnitA, $"/api/items/{done}/attachments", "整改前后对比照片.png", Photo);
        await UploadAsync(org.UnitA, $"/api/items/{done}/attachments", "危房改造台账.pdf", Table1);
        var table = await UploadAsync(org.UnitA, $"/api/items/{done}/attachments", "危房改造台账.pdf", Table2);
        var plans = await (await org.UnitA.GetAsync($"/api/deliverables?campaignId={campaign}&unit={org.UnitACode}")).JsonAsync();
        var plan = plans.GetProperty("items").EnumerateArray().Single(d => d.Str("kind") == "unitPlan").GetProperty("id").GetGuid();
        var planFile = await UploadAsync(org.UnitA, $"/api/deliverables/{plan}/attachments", "县测试局整改方案.docx", PlanDocx);
        (await org.UnitA.PostAsJsonAsync($"/api/deliverables/{plan}/events", new { type = "submit", attachmentIds = new[] { planFile } })).EnsureSuccessStatusCode();
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 11, 10));
        var letters = await (await org.Dcs.GetAsync($"/api/escalations?campaignId={campaign}&level=supervisionLetter")).JsonAsync();
        var escalation = letters.GetProperty("items").EnumerateArray().Single(e => e.Str("itemId") == done.ToString()).Str("id");
        (await org.Dcs.GetAsync($"/api/escalations/{escalation}/letter.docx")).EnsureSuccessStatusCode();

        // Closed out: one item closed, the other withdrawn; then the campaign.
        (await Send(org.UnitA, done, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, done, new { type = "acknowledge" })).EnsureSuccessStatusCode();
        (await Send(org.UnitB, done, new { type = "complete", note = "本镇已完成" })).EnsureSuccessStatusCode();
        (await Send(org.UnitA, done, new { type = "requestClosure", note = "改造完成", attachmentIds = new[] { photo, table } })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, done, new { type = "approveClosure", note = "同意销号" })).EnsureSuccessStatusCode();
        (await Send(org.Lgo, gone, new { type = "withdraw", note = "与第1项重复" })).EnsureSuccessStatusCode();
        (await org.Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/close", new { note = "整改完成" })).EnsureSuccessStatusCode();

        // Units cannot export an archive; a campaign nobody sees is 404; nothing is started by either.
        (await org.UnitA.PostAsync($"/api/campaigns/{campaign}/archive/export", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var unknown = await org.Lgo.PostAsync($"/api/campaigns/{Guid.NewGuid()}/archive/export", null);
        (await unknown.ShouldHaveStatusAsync(HttpStatusCode.NotFound)).Str("title").ShouldContain("整改工作");

        var started = await org.Lgo.PostAsync($"/api/campaigns/{campaign}/archive/export", null);
        var task = await started.ShouldHaveStatusAsync(HttpStatusCode.Accepted);
        var id = task.GetProperty("id").GetGuid();
        task.Str("kind").ShouldBe("archiveExport");
        task.Str("title").ShouldBe("导出归档包：归档导出测试");
        JsonElement finished = default;
        await Eventually.TrueAsync(async () =>
        {
            finished = await (await org.Lgo.GetAsync($"/api/tasks/{id}")).JsonAsync();
            return finished.Str("state") is "succeeded" or "failed";
        }, "the archive task to finish");
        finished.Str("state").ShouldBe("succeeded", finished.ToString());
        finished.GetProperty("progress").GetInt32().ShouldBe(finished.GetProperty("total").GetInt32());
        // The letters issued (the item's, and any of a unit plan handed in late): each one is in the archive.
        await using var db = app.Database.CreateDataSource();
        await using var c = await db.OpenConnectionAsync();
        var issued = await c.ExecuteScalarAsync<int>(
            "select count(*) from supervision_letters l join escalations e on e.id = l.escalation_id where e.campaign_id = @campaign", new { campaign });
        issued.ShouldBeGreaterThanOrEqualTo(1);
        finished.GetProperty("total").GetInt32().ShouldBe(3 + issued + 4);
        (await org.UnitA.GetAsync($"/api/tasks/{id}/result")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var response = await org.Lgo.GetAsync($"/api/tasks/{id}/result");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("归档导出测试归档_20260611.zip");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        response.Content.Headers.ContentLength.ShouldBe(bytes.Length);

        // Every name is flagged UTF-8 (general-purpose bit 11), so Windows and 7-Zip read the Chinese.
        var flags = CentralDirectoryFlags(bytes);
        flags.Count.ShouldBe(8 + issued);
        flags.ShouldAllBe(f => (f & 0x0800) != 0);

        const string root = "归档导出测试归档_20260611";
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read, false, Encoding.UTF8);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        var number = (await (await org.Lgo.GetAsync($"/api/items/{done}")).JsonAsync()).Str("number");
        var evidence = $"{root}/佐证材料/{number}_农村危房改造不到位";
        var letterNames = names.Where(n => n.StartsWith($"{root}/督办函/", StringComparison.Ordinal)).ToList();
        letterNames.Count.ShouldBe(issued);
        letterNames.ShouldAllBe(n => n.EndsWith(".docx"));
        names.Where(n => !letterNames.Contains(n)).ShouldBe(
        [
            $"{root}/台账/归档导出测试整改台账_20260611.xlsx",
            $"{root}/报告/归档导出测试整改情况报告_20260611.docx",
            $"{evidence}/整改前后对比照片.png",
            $"{evidence}/危房改造台账.pdf",
            $"{evidence}/危房改造台账（2）.pdf",
            $"{root}/单位材料/县测试局/单位整改方案/县测试局整改方案.docx",
            $"{root}/目录.csv",
            $"{root}/manifest.json",
        ], ignoreOrder: false);
        byte[] Read(string name)
        {
            using var s = zip.GetEntry(name)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }

        var ledger = Read($"{root}/台账/归档导出测试整改台账_20260611.xlsx");
        OpenXmlChecks.SpreadsheetErrors(ledger).ShouldBeEmpty();
        var rows = OpenXmlChecks.Rows(ledger);
        rows.ShouldContain(r => r.Contains("农村危房改造不到位"));
        rows.ShouldContain(r => r.Contains("饮水安全台账不实"));
        var report = Read($"{root}/报告/归档导出测试整改情况报告_20260611.docx");
        OpenXmlChecks.WordErrors(report).ShouldBeEmpty();
        DocxText.Read(report).All.ShouldContain("整改情况报告");
        report.ShouldBe(await c.ExecuteScalarAsync<byte[]>("select content from campaign_final_reports where campaign_id = @campaign", new { campaign }));
        foreach (var letter in letterNames)
        {
            using var word = WordprocessingDocument.Open(new MemoryStream(Read(letter)), false);
            word.MainDocumentPart!.Document.InnerText.ShouldContain("督办");
        }
        Read($"{evidence}/整改前后对比照片.png").ShouldBe(Photo);
        Read($"{evidence}/危房改造台账.pdf").ShouldBe(Table1);
        Read($"{evidence}/危房改造台账（2）.pdf").ShouldBe(Table2);
        Read($"{root}/单位材料/县测试局/单位整改方案/县测试局整改方案.docx").ShouldBe(PlanDocx);

        // The manifest: one line per file with its size and SHA-256 (Excel reads the UTF-8 by its byte-order mark).
        var csv = Read($"{root}/目录.csv");
        csv.Take(3).ShouldBe(Encoding.UTF8.GetPreamble());
        var lines = Encoding.UTF8.GetString(csv, 3, csv.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("序号,文件,类别,问题序号,问题,单位,原文件名,大小（字节）,SHA-256,上传人,上传时间");
        lines.Length.ShouldBe(1 + 6 + issued + 1);
        lines.ShouldContain(l => l.Contains($"佐证材料/{number}_农村危房改造不到位/危房改造台账（2）.pdf,佐证材料,{number},农村危房改造不到位,,危房改造台账.pdf,{Table2.Length},{Convert.ToHexStringLower(SHA256.HashData(Table2))},arcua,2026-06-01 10:"));
        lines[^1].ShouldContain($"共{6 + issued}个文件");
        var manifest = JsonDocument.Parse(Read($"{root}/manifest.json")).RootElement;
        manifest.GetProperty("files").GetArrayLength().ShouldBe(6 + issued);
        manifest.GetProperty("campaign").Str("state").ShouldBe("closed");

        // The job once more: finished, nothing changes; after a crash mid-way (the row still running), it is rebuilt whole.
        const string sql = """
            select attempts, finished_at, (select md5(string_agg(data, ''::bytea order by seq)) from background_task_chunks where task_id = @id)
            from background_tasks where id = @id
            """;
        var before = await c.QuerySingleAsync<(int Attempts, DateTime Finished, string Hash)>(sql, new { id });
        var runner = app.Services.GetRequiredService<BackgroundTaskRunner>();
        await runner.RunAsync(id, CancellationToken.None);
        (await c.QuerySingleAsync<(int Attempts, DateTime Finished, string Hash)>(sql, new { id })).ShouldBe(before);
        before.Hash.ShouldBe(Convert.ToHexStringLower(MD5.HashData(bytes)));
        await c.ExecuteAsync("update background_tasks set state = 'running', finished_at = null where id = @id", new { id });
        await runner.RunAsync(id, CancellationToken.None);
        var again = await c.QuerySingleAsync<(string State, long Chunks, long Size)>(
            "select state, (select count(*) from background_task_chunks where task_id = @id), result_size from background_tasks where id = @id", new { id });
        again.State.ShouldBe("succeeded");
        again.Chunks.ShouldBe(1);
        using var rebuilt = new ZipArchive(new MemoryStream(await (await org.Lgo.GetAsync($"/api/tasks/{id}/result")).Content.ReadAsByteArrayAsync()));
        rebuilt.Entries.Select(e => e.FullName).ShouldBe(names);
        // The same stored files (the ledger and the manifest are built anew, with the time of the build in them).
        static bool Stored(ZipArchiveEntry e) => e.FullName.Contains("/佐证材料/") || e.FullName.Contains("/单位材料/") || e.FullName.Contains("/报告/") || e.FullName.Contains("/督办函/");
        rebuilt.Entries.Where(Stored).Select(e => (e.FullName, e.Crc32, e.Length)).ShouldBe(zip.Entries.Where(Stored).Select(e => (e.FullName, e.Crc32, e.Length)));
    }

    [Fact]
    public async Task ActiveCampaign_ExportsToo_WithTheFinalReportBuiltNow_AndTheSupervisionOfficeMayExport()
    {
        var org = await Org.CreateAsync(app, "arb");
        await org.SetClockAsync(RuntimeApp.Local(2026, 6, 1, 10));
        var (campaign, _) = await org.CampaignAsync([org.Item("进行中问题", "2026-06-30")], "进行中的整改工作");
        (await org.Lgo.PostAsync($"/api/campaigns/{campaign}/launch", null)).EnsureSuccessStatusCode();
        var task = await (await org.Dcs.PostAsync($"/api/campaigns/{campaign}/archive/export", null)).ShouldHaveStatusAsync(HttpStatusCode.Accepted);
        var id = task.GetProperty("id").GetGuid();
        await Eventually.TrueAsync(async () => (await (await org.Dcs.GetAsync($"/api/tasks/{id}")).JsonAsync()).Str("state") is "succeeded" or "failed",
            "the archive task to finish");
        var bytes = await (await org.Dcs.GetAsync($"/api/tasks/{id}/result")).Content.ReadAsByteArrayAsync();
        using var zip = new ZipArchive(new MemoryStream(bytes));
        zip.Entries.Select(e => e.FullName).ShouldBe(
        [
            "进行中的整改工作归档_20260601/台账/进行中的整改工作整改台账_20260601.xlsx",
            "进行中的整改工作归档_20260601/报告/进行中的整改工作整改情况报告_20260601.docx",
            "进行中的整改工作归档_20260601/目录.csv",
            "进行中的整改工作归档_20260601/manifest.json",
        ]);
        using var reader = new StreamReader(zip.GetEntry("进行中的整改工作归档_20260601/目录.csv")!.Open());
        (await reader.ReadToEndAsync()).ShouldContain("整改情况报告（导出时生成）");
    }

    /// <summary>The general-purpose flags of every central-directory record, read from the end-of-central-directory record.</summary>
    private static List<ushort> CentralDirectoryFlags(byte[] zip)
    {
        var end = zip.Length - 22;
        while (end >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end)) != 0x06054b50) end--;
        end.ShouldBeGreaterThanOrEqualTo(0, "no end-of-central-directory record");
        var count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        var flags = new List<ushort>();
        for (var n = 0; n < count; n++)
        {
            BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(offset)).ShouldBe(0x02014b50u);
            flags.Add(BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 8)));
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 28));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 30));
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 32));
            offset += 46 + nameLength + extraLength + commentLength;
        }
        return flags;
    }
}
