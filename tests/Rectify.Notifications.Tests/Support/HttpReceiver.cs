using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rectify.Notifications.Tests.Support;

public sealed record ReceivedRequest(string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    /// <summary>The status this receiver answered with (0 until answered).</summary>
    public int Status { get; set; }

    public bool Accepted => Status is >= 200 and < 300;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A real HTTP receiver (Kestrel on a loopback port) standing in for a robot platform or a webhook consumer.
/// <see cref="Respond"/> decides each answer (status, body) and may delay it (to hang).
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedRequest> received = new();

    public delegate Task<(int Status, string Body)> Responder(ReceivedRequest request, int number, CancellationToken ct);

    /// <summary>Answer for each request; number is 1 for the first request this receiver got.</summary>
    public Responder Respond { get; set; } = (_, _, _) => Task.FromResult((200, """{"errcode":0,"errmsg":"ok"}"""));

    public string BaseUrl { get; private set; } = "";
    private int count;

    private HttpReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.Run(HandleAsync);
    }

    public static async Task<HttpReceiver> StartAsync()
    {
        var receiver = new HttpReceiver();
        await receiver.app.StartAsync();
        var addresses = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        receiver.BaseUrl = addresses.First().TrimEnd('/');
        return receiver;
    }

    public IReadOnlyList<ReceivedRequest> Requests => received.ToArray();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new ReceivedRequest(
            context.Request.Path, context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body, DateTimeOffset.UtcNow);
        var number = Interlocked.Increment(ref count);
        (int Status, string Body) answer;
        try
        {
            answer = await Respond(request, number, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // the client gave up (timeout): nothing to answer
        }
        // Recorded once answered: a request the client abandoned (timed out) was not delivered.
        request.Status = answer.Status;
        received.Enqueue(request);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    public int Attempts => Volatile.Read(ref count);

    /// <summary>Waits until at least <paramref name="accepted"/> requests were answered 2xx; returns those.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int accepted, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var list = Requests.Where(r => r.Accepted).ToList();
            if (list.Count >= accepted) return list;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {accepted} accepted requests, got {list.Count} (attempts {Attempts})");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
