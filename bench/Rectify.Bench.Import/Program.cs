using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Rectify.TestSupport;
using Xunit;

// ./rectify.sh bench (or bench import) → scripts/bench.sh: 5,000-row problem lists as a Word table (.docx) and as Excel 97–2003
// (.xls, saved by LibreOffice from the same rows) imported through the real endpoint of an in-process service on the
// bench's PostgreSQL (issue 15: at most 5 s). Writes the table of docs/performance.md between <!-- import:begin/end -->.
var server = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Rectify.Bench.Import <server connection string> [report.md]");
var reportPath = args.Length > 1 ? args[1] : null;
const int Rows = 5_000;
Environment.SetEnvironmentVariable("RECTIFY_TEST_PG", server);
void Say(string text) => Console.WriteLine($"[bench-import] {text}");

await using var app = new RectifyApp();
await ((IAsyncLifetime)app).InitializeAsync();
var admin = await app.AdminAsync();
foreach (var (code, name, kind) in new[]
         {
             ("lgo", "县扶贫开发领导小组办公室", "leadingGroup"), ("dcs", "县委督查室", "supervisionOffice"), ("fpb", "县扶贫办", "department"),
             ("czj", "县财政局", "department"), ("mzj", "县民政局", "department"), ("zfz", "章凤镇", "township"), ("hsz", "户撒乡", "township"),
         })
    (await admin.PostAsJsonAsync("/api/units", new { code, name, kind })).EnsureSuccessStatusCode();
(await admin.PostAsJsonAsync("/api/people", new { name = "张三", unitCode = "lgo", title = "副县长" })).EnsureSuccessStatusCode();

string[] header = ["序号", "问题类别", "反馈问题", "整改措施", "整改目标", "责任领导", "牵头单位", "责任单位", "整改时限", "问题来源"];
string[] Row(int n) =>
[
    n.ToString(CultureInfo.InvariantCulture), $"第{n % 12 + 1}类问题", $"第{n}个问题：贫困户识别不精准，存在错评、漏评现象",
    n % 4 == 0 ? "于5月20日前逐户核实，5月底前建立台账" : "开展“回头看”，逐户核实，建立台账", "错评率低于2%",
    n % 3 == 0 ? "张三" : "", n % 2 == 0 ? "县扶贫办" : "czj", n % 7 == 0 ? "县民政局、各乡镇" : "县民政局、章凤镇；户撒乡",
    (n % 5) switch { 0 => "2018年6月10日前", 1 => "6月底前", 2 => "立行立改", 3 => "长期坚持", _ => "通报后两个月内" },
    (n % 3) switch { 0 => "考核反馈", 1 => "第三方评估", _ => "审计" },
];
var rows = Enumerable.Range(1, Rows).Select(Row).ToList();

var files = new List<(string Name, byte[] Content)> { ($"{Rows}.docx", Docx(header, rows)) };
if (Xls(header, rows) is { } xls) files.Add(($"{Rows}.xls", xls));
else Say("soffice not found: the .xls file is left out");

var results = new List<(string Name, int Size, long Wall, double Cpu, int Imported)>();
foreach (var (name, content) in files)
{
    // One warm-up on a throwaway campaign so JIT and the connection pool do not count.
    await ImportAsync(await CampaignAsync("预热 " + name), name.EndsWith(".docx", StringComparison.Ordinal) ? Docx(header, rows.Take(3).ToList()) : content, name);
    var campaign = await CampaignAsync(name);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var response = await ImportAsync(campaign, content, name);
    watch.Stop();
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{name}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
    var imported = JsonDocument.Parse(body).RootElement.GetProperty("imported").GetInt32();
    results.Add((name, content.Length, watch.ElapsedMilliseconds, cpu.TotalMilliseconds, imported));
    Say($"{name}: {imported} rows, {content.Length / 1024} KiB, {watch.ElapsedMilliseconds} ms wall, {cpu.TotalMilliseconds:F0} ms CPU of the service process");
}

if (reportPath is not null)
{
    var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
    var table = new StringBuilder()
        .AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `./rectify.sh bench import` (scripts/bench.sh), {Environment.ProcessorCount} CPUs, load average {load} at the end,")
        .AppendLine("in-process service (Release) on the bench's PostgreSQL (fsync on); the whole request is timed (upload, read, resolution of units,")
        .AppendLine("leaders, deadlines, milestones and sources, validation, one-transaction insert).")
        .AppendLine()
        .AppendLine("| file | rows | size | wall time | CPU of the service process |")
        .AppendLine("| --- | --- | --- | --- | --- |");
    foreach (var r in results)
        table.AppendLine($"| {r.Name} | {r.Imported:N0} | {r.Size / 1024:N0} KiB | {r.Wall / 1000.0:F2} s | {r.Cpu / 1000.0:F2} s |");
    var report = File.Exists(reportPath) ? await File.ReadAllTextAsync(reportPath) : "";
    const string begin = "<!-- import:begin -->", end = "<!-- import:end -->";
    var block = begin + "\n" + table + end;
    var at = report.IndexOf(begin, StringComparison.Ordinal);
    var until = report.IndexOf(end, StringComparison.Ordinal);
    report = at >= 0 && until > at ? report[..at] + block + report[(until + end.Length)..] : report + "\n" + block + "\n";
    await File.WriteAllTextAsync(reportPath, report);
}
return 0;

async Task<Guid> CampaignAsync(string title)
{
    var response = await admin.PostAsJsonAsync("/api/campaigns", new
    {
        title, issuedByUnit = "lgo", supervisionUnit = "dcs", noticeDate = "2018-05-09", workflow = new { id = "rectification-campaign" },
        phases = new[] { new { key = "plan", start = "2018-05-10", end = "2018-05-13" }, new { key = "rectify", start = "2018-05-14", end = "2018-06-10" } },
    });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
}

async Task<HttpResponseMessage> ImportAsync(Guid campaign, byte[] content, string fileName)
{
    using var form = new MultipartFormDataContent();
    var file = new ByteArrayContent(content);
    file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    form.Add(file, "file", fileName);
    return await admin.PostAsync($"/api/campaigns/{campaign}/items/import", form);
}

// A Word document as an office makes one: a title paragraph, then the list as a table with a header row.
static byte[] Docx(string[] header, IReadOnlyList<string[]> rows)
{
    using var stream = new MemoryStream();
    using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
    {
        var main = document.AddMainDocumentPart();
        var table = new Table(new TableProperties(new TableBorders(new TopBorder { Val = BorderValues.Single }, new BottomBorder { Val = BorderValues.Single })));
        TableRow Line(IEnumerable<string> cells) => new(cells.Select(c => new TableCell(new Paragraph(new Run(new Text(c) { Space = SpaceProcessingModeValues.Preserve })))));
        table.Append(Line(header));
        foreach (var row in rows) table.Append(Line(row));
        main.Document = new Document(new Body(new Paragraph(new Run(new Text("整改问题清单（5000 行）"))), table));
        main.Document.Save();
    }
    return stream.ToArray();
}

// The same rows saved as Excel 97–2003 by LibreOffice (CSV in, .xls out), as an office's old workbook arrives.
static byte[]? Xls(string[] header, IReadOnlyList<string[]> rows)
{
    var dir = Directory.CreateTempSubdirectory("rectify-bench-import-");
    try
    {
        var csv = Path.Combine(dir.FullName, "list.csv");
        static string Quote(string c) => "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        File.WriteAllText(csv, string.Join("\n", rows.Prepend(header).Select(r => string.Join(",", r.Select(Quote)))) + "\n", new UTF8Encoding(false));
        var start = new ProcessStartInfo("soffice")
        {
            ArgumentList = { "--headless", "--norestore", $"-env:UserInstallation=file://{dir.FullName}/profile", "--infilter=Text - txt - csv (StarCalc):44,34,76", "--convert-to", "xls", "--outdir", dir.FullName, csv },
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        Process? process;
        try { process = Process.Start(start); }
        catch (System.ComponentModel.Win32Exception) { return null; }
        using (process)
        {
            process!.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
        }
        var xls = Path.Combine(dir.FullName, "list.xls");
        return File.Exists(xls) ? File.ReadAllBytes(xls) : null;
    }
    finally
    {
        dir.Delete(recursive: true);
    }
}
