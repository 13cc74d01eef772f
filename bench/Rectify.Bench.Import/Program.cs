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
// bench's PostgreSQL (issue 15: at most 5 s). 5,000 rows are a long list (Rectify:Import:BackgroundRows, 2,000): the
// request answers 202 and a Hangfire worker of the same node imports it; each run is timed from the upload until the
// task has succeeded (what the office waits for), BENCH_IMPORT_RUNS times per file (default 5), the median reported.
// Writes the table of docs/performance.md between <!-- import:begin/end -->.
var server = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Rectify.Bench.Import <server connection string> [report.md]");
var reportPath = args.Length > 1 ? args[1] : null;
const int Rows = 5_000;
var runs = int.TryParse(Environment.GetEnvironmentVariable("BENCH_IMPORT_RUNS"), out var r0) && r0 > 0 ? r0 : 5;
Environment.SetEnvironmentVariable("RECTIFY_TEST_PG", server);
// WebApplicationFactory looks for the service's content root beside the test assembly; a bench started from anywhere
// names it (the setting WebApplicationFactory reads first), found above the bench's own directory.
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_RECTIFY_API", ServiceContentRoot());
void Say(string text) => Console.WriteLine($"[bench-import] {text}");
string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
var loadAtStart = Load();

await using var app = new BenchApp();
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

var results = new List<(string Name, int Size, List<long> Accepted, List<long> Wall, List<double> Cpu, int Imported)>();
foreach (var (name, content) in files)
{
    // One warm-up on a throwaway campaign so JIT, the connection pool and the worker's first job do not count.
    var warm = await CampaignAsync("预热 " + name);
    await ImportAsync(warm, content, name);
    var result = (name, content.Length, new List<long>(), new List<long>(), new List<double>(), 0);
    for (var run = 1; run <= runs; run++)
    {
        var campaign = await CampaignAsync($"{name} 第{run}次");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var (accepted, imported) = await ImportAsync(campaign, content, name);
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        result.Item3.Add(accepted);
        result.Item4.Add(watch.ElapsedMilliseconds);
        result.Item5.Add(cpu.TotalMilliseconds);
        result.Item6 = imported;
        Say($"{name} run {run}: {imported} rows, {content.Length / 1024} KiB, 202 after {accepted} ms, imported after {watch.ElapsedMilliseconds} ms wall, {cpu.TotalMilliseconds:F0} ms CPU of the service process, load {Load()}");
    }
    results.Add(result);
}
var loadAtEnd = Load();

static T Median<T>(List<T> values) => values.Order().ElementAt(values.Count / 2);

if (reportPath is not null)
{
    var table = new StringBuilder()
        .AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `./rectify.sh bench import` (scripts/bench.sh), {Environment.ProcessorCount} CPUs shared with other developers,")
        .AppendLine($"**load average (1, 5, 15 min) {loadAtStart} at the start, {loadAtEnd} at the end** (`uptime`; a high load lengthens every figure).")
        .AppendLine("In-process service (Release) on the bench's PostgreSQL (fsync on). 5,000 rows are a long list: the request answers 202 and a")
        .AppendLine("background task (Hangfire worker of the same node) imports it; timed from the upload until the task has succeeded (upload, read,")
        .AppendLine("resolution of units, leaders, deadlines, milestones and sources, validation, one-transaction insert in batches, task bookkeeping).")
        .AppendLine($"{runs} runs per file after a warm-up, each into a new campaign; median, with the fastest and slowest run.")
        .AppendLine()
        .AppendLine("| file | rows | size | 202 after (median) | imported after: median | fastest | slowest | CPU of the service process (median) |")
        .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var r in results)
        table.AppendLine($"| {r.Name} | {r.Imported:N0} | {r.Size / 1024:N0} KiB | {Median(r.Accepted) / 1000.0:F2} s | **{Median(r.Wall) / 1000.0:F2} s** | {r.Wall.Min() / 1000.0:F2} s | {r.Wall.Max() / 1000.0:F2} s | {Median(r.Cpu) / 1000.0:F2} s |");
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

// Uploads the list and waits for its task: (ms until the 202, rows imported).
async Task<(long Accepted, int Imported)> ImportAsync(Guid campaign, byte[] content, string fileName)
{
    var watch = Stopwatch.StartNew();
    using var form = new MultipartFormDataContent();
    var file = new ByteArrayContent(content);
    file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    form.Add(file, "file", fileName);
    var response = await admin.PostAsync($"/api/campaigns/{campaign}/items/import", form);
    var body = await response.Content.ReadAsStringAsync();
    var accepted = watch.ElapsedMilliseconds;
    if (response.StatusCode == System.Net.HttpStatusCode.OK) return (accepted, JsonDocument.Parse(body).RootElement.GetProperty("imported").GetInt32());
    if (response.StatusCode != System.Net.HttpStatusCode.Accepted) throw new InvalidOperationException($"{fileName}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
    var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    while (true)
    {
        var task = JsonDocument.Parse(await admin.GetStringAsync($"/api/tasks/{id}")).RootElement;
        switch (task.GetProperty("state").GetString())
        {
            case "succeeded": return (accepted, task.GetProperty("summary").GetProperty("imported").GetInt32());
            case "failed": throw new InvalidOperationException($"{fileName}: the import task failed: {task}");
        }
        if (watch.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"{fileName}: the import task did not finish in 5 minutes");
        await Task.Delay(20);
    }
}

// The service project's directory (its content root), above the bench's own directory, else below the current one.
static string ServiceContentRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "src", "Rectify.Api");
        if (File.Exists(Path.Combine(candidate, "Rectify.Api.csproj"))) return candidate;
    }
    return Path.Combine(Directory.GetCurrentDirectory(), "src", "Rectify.Api");
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

/// <summary>The service with its Hangfire server on (RectifyApp turns it off for tests that call jobs directly).</summary>
internal sealed class BenchApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Jobs:Server"] = "true",
        // The importer logs where each import's time went (read, resolve, write): printed beside the bench's own lines.
        ["Logging:LogLevel:Rectify.Api.Features.Import"] = "Information",
    };
}
