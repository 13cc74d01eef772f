using System.Net;
using System.Net.Mail;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>
/// A small pool of SmtpClient instances (Rectify:Smtp:Connections): an SmtpClient sends one message at a time and
/// keeps its connection for the next one, so parallel sends need several. A client whose send failed is replaced,
/// and one left idle longer than servers usually keep a connection open is replaced before use, so a connection the
/// server has closed is never used.
/// </summary>
public sealed class SmtpPool : IDisposable
{
    private sealed record Pooled(SmtpClient Client, DateTimeOffset LastUsed);

    private readonly SmtpOptions options;
    private readonly TimeProvider wall;
    private readonly Channel<Pooled> idle;
    private readonly HashSet<SmtpClient> all = [];
    private readonly Lock gate = new();

    public SmtpPool(IOptions<SmtpOptions> options, [FromKeyedServices("wall")] TimeProvider wall)
    {
        this.options = options.Value;
        this.wall = wall;
        var size = Math.Max(1, this.options.Connections);
        idle = Channel.CreateBounded<Pooled>(size);
        for (var n = 0; n < size; n++) idle.Writer.TryWrite(new Pooled(Create(), wall.GetUtcNow()));
    }

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Host);

    public SmtpOptions Options => options;

    public async Task<SmtpClient> RentAsync(CancellationToken ct)
    {
        var pooled = await idle.Reader.ReadAsync(ct);
        if (wall.GetUtcNow() - pooled.LastUsed <= options.MaxIdle) return pooled.Client;
        Discard(pooled.Client);
        return Create();
    }

    /// <summary>Gives a client back; a client whose send failed is disposed and replaced by a fresh one.</summary>
    public void Return(SmtpClient client, bool healthy)
    {
        if (!healthy)
        {
            Discard(client);
            client = Create();
        }
        idle.Writer.TryWrite(new Pooled(client, wall.GetUtcNow()));
    }

    private void Discard(SmtpClient client)
    {
        lock (gate) all.Remove(client);
        client.Dispose();
    }

    private SmtpClient Create()
    {
        var client = new SmtpClient(options.Host ?? "localhost", options.Port)
        {
            EnableSsl = options.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = 30_000,
        };
        if (!string.IsNullOrEmpty(options.User)) client.Credentials = new NetworkCredential(options.User, options.Password);
        lock (gate) all.Add(client);
        return client;
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var client in all) client.Dispose();
            all.Clear();
        }
    }
}
