using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Rectify.Bench.Scale;

/// <summary>Median and 95th percentile of one path, or why it could not be measured.</summary>
public sealed record PathFigure(string Key, string What, double TargetP95, int Samples, double Median, double P95, string? Note)
{
    public bool Measured => Samples > 0;
}

/// <summary>
/// Times requests as a client on loopback: from sending the request to the last byte of the response (the service and
/// this client share the machine; no network in between). Sequential, after two warm-up requests.
/// </summary>
public sealed class Probe(HttpClient http, int repetitions, TimeSpan budget, TimeSpan limit)
{
    public async Task<PathFigure> TimeAsync(string key, string what, double targetP95, string token, Func<int, string> url, bool optional = false)
    {
        var samples = new List<double>();
        string? note = null;
        var watch = Stopwatch.StartNew();
        for (var i = -2; i < repetitions; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Get, url(i + 2));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            HttpResponseMessage response;
            using var deadline = new CancellationTokenSource(limit);
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
                await body.CopyToAsync(Stream.Null, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return new PathFigure(key, what, targetP95, 0, 0, 0, $"a request did not finish within the client's time limit ({limit.TotalSeconds:F0} s)");
            }
            using var _ = response;
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            // An endpoint another issue adds (待办, per-unit figures) is reported as not measurable on a build without it.
            if (optional && i == -2 && response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
                return new PathFigure(key, what, targetP95, 0, 0, 0, $"not on this build ({(int)response.StatusCode})");
            if (!response.IsSuccessStatusCode) { note = $"HTTP {(int)response.StatusCode}"; continue; }
            // A warm-up slower than a second is a sample already (warming a path that slow changes nothing that matters).
            if (i >= 0 || ms > 1000) samples.Add(ms);
            // A slow path gets at least 5 samples, then stops at the time budget (a million-row scan per request adds up);
            // a very slow one stops at four budgets with what it has.
            if ((samples.Count >= 5 && watch.Elapsed > budget) || (samples.Count >= 1 && watch.Elapsed > 4 * budget)) break;
        }
        if (samples.Count == 0) return new PathFigure(key, what, targetP95, 0, 0, 0, note ?? "no sample");
        samples.Sort();
        return new PathFigure(key, what, targetP95, samples.Count, Percentile(samples, 0.5), Percentile(samples, 0.95), note);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>A document download: time to the first byte of the body, total time, bytes, the server's memory meanwhile.</summary>
public sealed record DocumentFigure(string What, int Status, double FirstByteMs, double TotalMs, long Bytes, double RssBeforeMiB, double PeakRssMiB, bool PeakFromKernel);

public static class Documents
{
    public static async Task<DocumentFigure> DownloadAsync(HttpClient http, ApiProcess api, string token, string url, string what, TimeSpan limit)
    {
        GC.Collect();
        var before = api.Memory().Rss;
        var kernelPeak = api.ResetPeak();
        var sampledPeak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                sampledPeak = Math.Max(sampledPeak, api.Memory().Rss);
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var started = Stopwatch.GetTimestamp();
        double firstByte = double.NaN;
        long bytes = 0;
        var status = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var deadline = new CancellationTokenSource(limit);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            status = (int)response.StatusCode;
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            var buffer = new byte[81920];
            var first = await body.ReadAsync(buffer, deadline.Token);
            firstByte = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            bytes = first;
            int n;
            while ((n = await body.ReadAsync(buffer, deadline.Token)) > 0) bytes += n;
        }
        catch (OperationCanceledException)
        {
            status = -1; // the client's time limit (the first byte, when it came, is kept)
        }
        var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await sampling.CancelAsync();
        await sampler;
        var peak = kernelPeak ? Math.Max(sampledPeak, api.Memory().Peak) : sampledPeak;
        return new DocumentFigure(what, status, firstByte, total, bytes, before, peak, kernelPeak);
    }
}
