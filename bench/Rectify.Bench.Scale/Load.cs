using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;

namespace Rectify.Bench.Scale;

public sealed record LoadFigure(
    int Clients, double Seconds, long Requests, long Reads, long Writes, long Errors, IReadOnlyDictionary<string, long> ErrorsByKind,
    double P50, double P99, double WriteP50, double WriteP99, int BurstTimers, double BurstSeconds, double BurstLatenessP99, int BurstLeft);

/// <summary>
/// 200 clients at once, each looping over a mix of reads (lists, details, timelines, the campaign) and writes (a progress
/// report on an item in progress), while a burst of timers falls due at one instant and the service's own sweep fires it.
/// Lateness of the burst: every burst timer is due at T; a timer fired at t is t − T late; the bench samples how many are
/// left every 100 ms, so the p99 is the first sample with at most 1 % left (resolution 100 ms).
/// </summary>
public static class Load
{
    public static async Task<LoadFigure> RunAsync(
        HttpClient http, NpgsqlDataSource db, string token, Guid campaign, IReadOnlyList<(Guid Id, string Lead)> writable,
        IReadOnlyList<Guid> readable, int clients, TimeSpan duration, int burst)
    {
        var latencies = new List<double>[clients];
        var writeLatencies = new List<double>[clients];
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        long reads = 0, writes = 0;
        using var stop = new CancellationTokenSource();

        // The burst: `burst` reminders of items in progress, due in 3 s (past the sweep's look-ahead), selected now.
        await Dataset.ExecAsync(db, """
            drop table if exists bench_burst;
            create table bench_burst as
            select t.id from timers t join items i on i.id = t.subject_id
            where t.campaign_id = @campaign and t.step like 'reminder:T-%' and i.state = 'inProgress' and t.due_at > now() + interval '1 day'
            order by t.id limit @burst;
            create unique index on bench_burst(id);
            """, new { campaign, burst });
        var burstCount = await Dataset.ScalarAsync<long>(db, "select count(*) from bench_burst");

        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            var mineWrites = writeLatencies[c] = [];
            var random = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                var pick = random.Next(100);
                HttpRequestMessage request;
                var isWrite = pick >= 85;
                if (isWrite)
                {
                    var (id, lead) = writable[random.Next(writable.Count)];
                    request = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{id}/events")
                    {
                        Content = JsonContent.Create(new { type = "progress", note = "负载测试：整改推进中", unit = lead }),
                    };
                }
                else
                {
                    var path = pick switch
                    {
                        < 20 => $"/api/items?campaignId={campaign}&pageSize=50&page={1 + random.Next(3)}",
                        < 30 => $"/api/items?campaignId={campaign}&unit=u{1 + random.Next(Dataset.Units)}&pageSize=50",
                        < 35 => $"/api/items?campaignId={campaign}&overdue=true&pageSize=50",
                        < 55 => $"/api/items/{readable[random.Next(readable.Count)]}",
                        < 70 => $"/api/items/{readable[random.Next(readable.Count)]}/timeline",
                        _ => $"/api/campaigns/{campaign}",
                    };
                    request = new HttpRequestMessage(HttpMethod.Get, path);
                }
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
                    await using (var body = await response.Content.ReadAsStreamAsync()) await body.CopyToAsync(Stream.Null);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (!response.IsSuccessStatusCode) errors.AddOrUpdate($"{(isWrite ? "write" : "read")} HTTP {(int)response.StatusCode}", 1, (_, n) => n + 1);
                    mine.Add(ms);
                    if (isWrite) { mineWrites.Add(ms); Interlocked.Increment(ref writes); } else Interlocked.Increment(ref reads);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    errors.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                }
                finally { request.Dispose(); }
            }
        })).ToList();

        // Let the clients reach a steady state, then the burst falls due at `due` (3 s ahead: the sweep stages it).
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, duration.TotalSeconds / 4)));
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        await Dataset.ExecAsync(db, "update timers set due_at = @due where id in (select id from bench_burst); select pg_notify('rectify_timers', '')", new { due });
        double burstP99 = double.NaN, burstDone = double.NaN;
        var left = (int)burstCount;
        var limit = DateTimeOffset.UtcNow + duration + TimeSpan.FromMinutes(5);
        while (DateTimeOffset.UtcNow < limit)
        {
            await Task.Delay(100);
            left = (int)await Dataset.ScalarAsync<long>(db, "select count(*) from timers t join bench_burst b using (id) where t.due_at = @due", new { due });
            var late = (DateTimeOffset.UtcNow - due).TotalSeconds;
            if (double.IsNaN(burstP99) && left <= burstCount / 100) burstP99 = Math.Max(0, late);
            if (left == 0) { burstDone = Math.Max(0, late); break; }
        }
        var remaining = duration - watch.Elapsed;
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        var seconds = watch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var w = writeLatencies.SelectMany(l => l).Order().ToList();
        return new LoadFigure(clients, seconds, all.Count, reads, writes, errors.Values.Sum(), errors, Probe.Percentile(all, 0.5), Probe.Percentile(all, 0.99),
            Probe.Percentile(w, 0.5), Probe.Percentile(w, 0.99), (int)burstCount, burstDone, burstP99, left);
    }
}
