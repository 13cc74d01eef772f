using System.Net;
using System.Text;
using System.Text.Json;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;
using Xunit.Abstractions;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// Hostile input over every endpoint of the OpenAPI document: malformed and truncated JSON, wrong types, huge and
/// control-character strings, deep nesting, invalid UTF-8, SQL metacharacters, path traversal, formulas and script.
/// No response may be a server error, and a rejected request must leave the database as it was.
/// </summary>
[RunsLong]
public sealed class FuzzTests(DemoApp app, ITestOutputHelper output) : IClassFixture<DemoApp>
{
    private static readonly string[] HostileStrings =
    [
        "", " ", new string('长', 100_000), "\u0000", "\u0007bell", "x'); drop table items; --", "' or '1'='1", "../../../../etc/passwd",
        "..\\..\\windows\\win.ini", "=HYPERLINK(\"http://evil\")", "+1+1", "@SUM(A1)", "-2+3", "<script>alert(1)</script>",
        "%00", "\ud800", "😀", "null", "true", "-1", "9999999999999999999999", "2026-02-30", "P-1D", "{{7*7}}",
    ];

    private static readonly string[] MalformedBodies =
    [
        "", "{", "}", "{\"a\":", "[", "\"just a string\"", "12345", "null", "{\"title\":\"x\",}", "{'title':'x'}",
        new string('[', 3000) + new string(']', 3000), new string('{', 1000), "{\"a\":" + new string('9', 5000) + "}",
        "{\"title\":\"\\ud800\"}", "{\"title\":\"\\u0000\"}", "\u00ef\u00bb\u00bf{}",
    ];

    [Fact]
    public async Task EveryEndpoint_UnderHostileInput_NeverAnswers5xx_AndRejectedRequestsChangeNothing()
    {
        var admin = await app.AdminAsync();
        var unitUser = await app.ClientAsAsync("fpb", RectifyApp.DemoPassword);
        var ids = await KnownIdsAsync(admin);
        var operations = await OperationsAsync(admin);
        operations.Count.ShouldBeGreaterThan(15);

        var sent = 0;
        var failures = new List<string>();
        var random = new Random(20261122);
        await using var db = app.Database.CreateDataSource();
        var fingerprint = await DatabaseFingerprint.OfAsync(db);

        // Fingerprinting the database around every request is slow; an operation is checked as a batch, and only an
        // operation that accepted some hostile request (so the batch may change the database legitimately) is then
        // checked request by request.
        var precise = new HashSet<string>();
        var batchAccepted = false;

        async Task Send(HttpClient client, Operation op, string path, HttpContent? content, string what)
        {
            var method = op.Method;
            var checkEach = method != HttpMethod.Get && precise.Contains(op.Key);
            var before = checkEach ? await fingerprint.TakeAsync() : "";
            using var request = new HttpRequestMessage(method, path) { Content = content };
            using var response = await client.SendAsync(request);
            sent++;
            var status = (int)response.StatusCode;
            if (status < 400) batchAccepted = true;
            if (status >= 500) failures.Add($"{status} {method} {path} {what}: {Truncate(await response.Content.ReadAsStringAsync())}");
            else if (checkEach && status >= 400 && await fingerprint.TakeAsync() != before)
                failures.Add($"{status} {method} {path} {what}: rejected but the database changed");
        }

        while (sent < 10_000)
        {
            foreach (var op in operations)
            {
                var client = random.Next(4) == 0 ? unitUser : admin;
                var mutating = op.Method != HttpMethod.Get;
                var batchBefore = mutating && !precise.Contains(op.Key) ? await fingerprint.TakeAsync() : "";
                batchAccepted = false;
                // Hostile path parameters. The in-process test client cannot carry a NUL in a path (Kestrel answers such requests 400 itself).
                foreach (var hostile in HostileStrings.Where(h => !h.Contains('\0') && h != "%00").OrderBy(_ => random.Next()).Take(3))
                    await Send(client, op, op.Fill(ids, hostile), op.HasBody ? Json("{}") : null, $"path '{Truncate(hostile)}'");
                var path = op.Fill(ids, null);
                // Query strings with wrong types.
                await Send(client, op, path + "?page=abc&pageSize=-5&overdue=maybe&campaignId=not-a-guid&state=%27", op.HasBody ? Json("{}") : null, "query");
                if (op.HasBody)
                {
                    foreach (var raw in MalformedBodies) await Send(client, op, path, Json(raw), $"body '{Truncate(raw)}'");
                    await Send(client, op, path, new ByteArrayContent([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]) { Headers = { ContentType = new("application/json") } }, "invalid utf-8");
                    foreach (var property in op.Properties)
                    {
                        foreach (var value in WrongValues(random))
                            await Send(client, op, path, Json(JsonSerializer.Serialize(new Dictionary<string, object?> { [property] = value })), $"{property}={Truncate(JsonSerializer.Serialize(value))}");
                    }
                }
                if (mutating && !precise.Contains(op.Key))
                {
                    if (batchAccepted) precise.Add(op.Key);
                    else if (await fingerprint.TakeAsync() != batchBefore) failures.Add($"{op.Key}: every request was rejected but the database changed");
                }
            }
        }
        output.WriteLine($"fuzz: {sent} requests over {operations.Count} operations, {failures.Count} failures");
        failures.ShouldBeEmpty(string.Join("\n", failures.Take(30)));
    }

    private static IEnumerable<object?> WrongValues(Random random)
    {
        yield return null;
        yield return 12345;
        yield return -1.5e308;
        yield return true;
        yield return new[] { 1, 2, 3 };
        yield return new Dictionary<string, object> { ["nested"] = new[] { new { deep = "x" } } };
        yield return HostileStrings[random.Next(HostileStrings.Length)];
        yield return HostileStrings[random.Next(HostileStrings.Length)];
    }

    private static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    private static string Truncate(string s) => s.Length > 60 ? s[..60] + "…" : s;

    private sealed record Operation(HttpMethod Method, string Template, bool HasBody, IReadOnlyList<string> Properties)
    {
        public string Key => $"{Method} {Template}";

        public string Fill(IReadOnlyDictionary<string, string> ids, string? hostile) =>
            System.Text.RegularExpressions.Regex.Replace(Template, @"\{(\w+)(:[^}]*)?\}", m =>
                hostile is not null ? Uri.EscapeDataString(hostile) : ids.TryGetValue(m.Groups[1].Value, out var v) ? v : ids["id"]);
    }

    private static async Task<List<Operation>> OperationsAsync(HttpClient client)
    {
        var doc = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        var schemas = doc.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s : default;
        var list = new List<Operation>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            // The clock moves time for everyone; fuzzing it would only test the fuzzer.
            if (path.Name.StartsWith("/api/admin/clock", StringComparison.Ordinal)) continue;
            // Logging out would sign the fuzzer itself out and leave every later request a 401 that tests nothing.
            if (path.Name is "/api/auth/logout" or "/api/auth/revoke") continue;
            foreach (var op in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(op.Name.ToUpperInvariant());
                var props = new List<string>();
                var hasBody = op.Value.TryGetProperty("requestBody", out var body);
                if (hasBody && body.TryGetProperty("content", out var content))
                {
                    foreach (var media in content.EnumerateObject())
                    {
                        if (!media.Value.TryGetProperty("schema", out var schema)) continue;
                        if (schema.TryGetProperty("$ref", out var r) && schemas.ValueKind == JsonValueKind.Object &&
                            schemas.TryGetProperty(r.GetString()!.Split('/')[^1], out var resolved)) schema = resolved;
                        if (schema.TryGetProperty("properties", out var properties)) props.AddRange(properties.EnumerateObject().Select(p => p.Name));
                    }
                }
                list.Add(new Operation(method, path.Name, hasBody, props));
            }
        }
        return list;
    }

    private static async Task<Dictionary<string, string>> KnownIdsAsync(HttpClient admin)
    {
        var campaign = (await (await admin.GetAsync("/api/campaigns")).JsonAsync()).GetProperty("items")[0].Str("id");
        var item = (await (await admin.GetAsync($"/api/items?campaignId={campaign}&pageSize=1")).JsonAsync()).GetProperty("items")[0].Str("id");
        var person = (await (await admin.GetAsync("/api/people?pageSize=1")).JsonAsync()).GetProperty("items")[0].Str("id");
        return new Dictionary<string, string>
        {
            ["id"] = item, ["campaignId"] = campaign, ["itemId"] = item, ["personId"] = person, ["code"] = "fpb",
            ["year"] = "2026", ["date"] = "2026-10-01", ["documentName"] = "v1",
        };
    }

}
