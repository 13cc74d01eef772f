using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rectify.Bench.Scale;

/// <summary>
/// The real service: <c>Rectify.Api.dll</c> (a Release build) started as its own process against the bench database,
/// as an operator would run it. It migrates the database on start; the bench waits for <c>/health/ready</c>.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process process;
    public Uri BaseAddress { get; }
    public int Pid => process.Id;
    public TimeSpan StartedIn { get; private set; }

    private ApiProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public static async Task<ApiProcess> StartAsync(string dll, string connectionString, string adminPassword, string logPath)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ConnectionStrings__Rectify"] = connectionString;
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Rectify__Bootstrap__AdminPassword"] = adminPassword;
        info.Environment["Rectify__DemoData"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        var watch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, new Uri(url));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // Migrations on a million-item database may take minutes (index builds): wait for readiness, not for a guess.
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Rectify.Api exited during start-up (code {process.ExitCode}); see {logPath}");
            try
            {
                using var response = await http.GetAsync(new Uri(api.BaseAddress, "/health/ready"));
                if (response.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (watch.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException("Rectify.Api did not become ready in 30 minutes");
            await Task.Delay(200);
        }
        api.StartedIn = watch.Elapsed;
        return api;
    }

    /// <summary>Resident memory now and its peak since <see cref="ResetPeak"/> (VmRSS, VmHWM of /proc/PID/status), in MiB.</summary>
    public (double Rss, double Peak) Memory()
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line) / 1024;
        }
        return (rss, peak);
        // "VmRSS:\t 6043 kB", and from 10 GiB on "VmRSS:\t10485760 kB" (no space after the tab).
        static double Kb(string line) => double.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Resets VmHWM to the current RSS (Linux clear_refs "5"), so a peak belongs to what follows.</summary>
    public bool ResetPeak()
    {
        try { File.WriteAllText($"/proc/{Pid}/clear_refs", "5"); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
