using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rectify.Chaos;

/// <summary>Several identical Rectify nodes on loopback ports, sharing one database and one SMTP server.</summary>
internal sealed class Cluster(string appDll, string workDir, IReadOnlyDictionary<string, string> sharedEnv, int size)
{
    public const string AdminPassword = "Chaos-Admin-2026";
    private readonly List<(ChildProcess Process, int Port)> nodes = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromMinutes(10) };
    private string? token;
    private int next;

    public int Size => nodes.Count;

    public void Start()
    {
        for (var n = 0; n < size; n++)
        {
            var port = Net.FreePort();
            var env = new Dictionary<string, string>(sharedEnv)
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Rectify__Bootstrap__AdminPassword"] = AdminPassword,
                ["Rectify__Clock__Controllable"] = "true",
                ["Rectify__DemoData"] = "false",
                // The run's webhook and robot receivers listen on loopback, which outbound requests refuse unless allowed.
                ["Rectify__Notifications__AllowedHosts"] = "127.0.0.1",
                ["Logging__Console__FormatterName"] = "simple",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            var process = new ChildProcess($"node{n}", "dotnet", [appDll], env, Path.Combine(workDir, $"node{n}.log"));
            process.Start();
            nodes.Add((process, port));
        }
    }

    public string Url(int node) => $"http://127.0.0.1:{nodes[node].Port}";

    public void Kill(int node) => nodes[node].Process.Kill();

    public void Restart(int node)
    {
        nodes[node].Process.Kill();
        nodes[node].Process.Start();
    }

    private volatile bool stopping;

    public void StopAll()
    {
        stopping = true;
        foreach (var (process, _) in nodes) process.Kill();
    }

    /// <summary>
    /// What systemd or an orchestrator does: a node that exited (it cannot start while the database is away) is
    /// started again a moment later.
    /// </summary>
    public async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !stopping)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), ct); }
            catch (TaskCanceledException) { return; }
            foreach (var (process, _) in nodes.ToList())
            {
                if (!process.Running && !stopping) process.Start();
            }
        }
    }

    public async Task<bool> ReadyAsync(int node)
    {
        try
        {
            using var response = await http.GetAsync($"{Url(node)}/health/ready").WaitAsync(TimeSpan.FromSeconds(3));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            return false;
        }
    }

    public async Task WaitAllReadyAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var ready = await Task.WhenAll(Enumerable.Range(0, nodes.Count).Select(ReadyAsync));
            if (ready.All(r => r)) return;
            await Task.Delay(200);
        }
        throw new TimeoutException("the nodes did not become ready");
    }

    /// <summary>
    /// Sends a request to a live node, moving to the next one when a node is down, restarting or answers 5xx —
    /// as a load balancer would. A POST carries an Idempotency-Key, so a retry after a lost answer does no harm.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(15));
        var key = Guid.NewGuid().ToString("N");
        Exception? last = null;
        while (DateTime.UtcNow < until)
        {
            var node = Interlocked.Increment(ref next) % nodes.Count;
            using var request = build();
            request.RequestUri = new Uri(Url(node) + request.RequestUri!.OriginalString);
            if (request.Method == HttpMethod.Post) request.Headers.Add("Idempotency-Key", key);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try
            {
                var response = await http.SendAsync(request);
                if ((int)response.StatusCode < 500) return response;
                last = new HttpRequestException($"{(int)response.StatusCode} from node{node}: {await response.Content.ReadAsStringAsync()}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
            }
            await Task.Delay(300);
        }
        throw new TimeoutException("no node answered", last);
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, object? body = null, HttpContent? content = null)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(method, path)
        {
            Content = content is not null ? Clone(content) : body is null ? null : JsonContent.Create(body),
        });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task SignInAsync()
    {
        var body = await JsonAsync(HttpMethod.Post, "/api/auth/token", new { userName = "admin", password = AdminPassword });
        token = body.GetProperty("accessToken").GetString();
    }

    private static HttpContent Clone(HttpContent content)
    {
        var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var copy = new ByteArrayContent(bytes);
        foreach (var header in content.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }
}
