using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Rectify.Chaos;

/// <summary>
/// The campaign a chaos run drives, built through the public API only: units with contacts, a campaign of N items all
/// due on one day (so reminders and escalations fall due in storms), imported in chunks and launched.
/// </summary>
internal sealed class Scenario(Cluster cluster, ChaosOptions options, Action<string> log)
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    /// <summary>Monday 30 November 2026, 08:00 local: launch time.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(8));
    /// <summary>Friday 11 December 2026: every item's deadline.</summary>
    public static readonly DateOnly Deadline = new(2026, 12, 11);

    public Guid CampaignId { get; private set; }

    public async Task BuildAsync()
    {
        await cluster.JsonAsync(HttpMethod.Post, "/api/admin/clock", new { now = Start });
        await Unit("lg", "混沌测试县领导小组办公室", "leadingGroup");
        await Unit("dc", "混沌测试县委督查室", "supervisionOffice");
        var leader = await Person("县领导", "lg", null, false);
        // Office contacts read their in-app inbox; a share of the units get e-mail, so the SMTP server carries a real load.
        foreach (var office in new[] { "lg", "dc" }) await Person($"{office}联络员", office, null, true);
        for (var n = 0; n < options.Units; n++)
        {
            var code = $"u{n:D3}";
            await Unit(code, $"混沌测试单位{n:D3}", n % 5 == 0 ? "township" : "department");
            await Person($"联络员{n:D3}", code, n < options.EmailUnits ? $"c{n:D3}@chaos.example.cn" : null, true);
        }
        var campaign = await cluster.JsonAsync(HttpMethod.Post, "/api/campaigns", new
        {
            title = "混沌测试整改工作", documentNumber = "混开组〔2026〕1号", issuedByUnit = "lg", supervisionUnit = "dc",
            noticeDate = "2026-11-27",
            phases = new[] { new { key = "rectify", start = "2026-11-30", end = Deadline.ToString("yyyy-MM-dd") } },
        });
        CampaignId = campaign.GetProperty("id").GetGuid();
        var imported = 0;
        for (var start = 0; start < options.Items; start += options.ImportChunk)
        {
            var count = Math.Min(options.ImportChunk, options.Items - start);
            imported += await ImportAsync(start, count, leader);
        }
        log($"imported {imported} items");
        await cluster.JsonAsync(HttpMethod.Post, $"/api/campaigns/{CampaignId}/launch");
        log("launched");
    }

    private async Task<int> ImportAsync(int start, int count, string leaderName)
    {
        var csv = new StringBuilder("序号,反馈问题,责任领导,牵头单位,整改时限\n");
        for (var n = start; n < start + count; n++)
            csv.Append(n + 1).Append(",混沌测试问题").Append(n + 1).Append(',').Append(leaderName).Append(",u").Append((n % options.Units).ToString("D3"))
               .Append(',').Append(Deadline.ToString("yyyy-MM-dd")).Append('\n');
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", $"items-{start}.csv");
        var result = await cluster.JsonAsync(HttpMethod.Post, $"/api/campaigns/{CampaignId}/items/import", content: content);
        return result.GetProperty("imported").GetInt32();
    }

    private Task Unit(string code, string name, string kind) =>
        cluster.JsonAsync(HttpMethod.Post, "/api/units", new { code, name, kind });

    private async Task<string> Person(string name, string unitCode, string? email, bool contact)
    {
        var person = await cluster.JsonAsync(HttpMethod.Post, "/api/people", new { name, unitCode, email, isUnitContact = contact });
        return person.GetProperty("name").GetString()!;
    }

    /// <summary>The instants the clock is moved to: each is a storm of timers due at once across every item.</summary>
    public static IEnumerable<DateTimeOffset> Storms()
    {
        var nine = new TimeSpan(9, 0, 0);
        DateTimeOffset At(int year, int month, int day, TimeSpan time) => new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.FromHours(8)) + time;
        yield return At(2026, 12, 1, nine + TimeSpan.FromMinutes(30));   // unacknowledged reminders
        yield return At(2026, 12, 4, nine + TimeSpan.FromMinutes(30));   // 7 days before
        yield return At(2026, 12, 8, nine + TimeSpan.FromMinutes(30));   // 3 days before
        yield return At(2026, 12, 10, nine + TimeSpan.FromMinutes(30));  // 1 day before
        yield return At(2026, 12, 14, nine + TimeSpan.FromMinutes(30));  // urge
        yield return At(2026, 12, 17, nine + TimeSpan.FromMinutes(30));  // supervision letter
        yield return At(2026, 12, 28, nine + TimeSpan.FromMinutes(30));  // listed supervision
        yield return At(2027, 1, 6, nine + TimeSpan.FromMinutes(30));    // admonitory talk (after New Year)
    }

}
