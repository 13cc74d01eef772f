using System.Net;
using System.Net.Mail;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>
/// A small pool of SmtpClient instances (Rectify:Smtp:Connections): an SmtpClient sends one message at a time, so
/// parallel sends need several. A client that failed is replaced, so a broken connection is never reused.
/// </summary>
public sealed class SmtpPool : IDisposable
{
    private readonly SmtpOptions options;
    private readonly Channel<SmtpClient> idle;
    private readonly List<SmtpClient> all = [];
    private readonly Lock gate = new();

    public SmtpPool(IOptions<SmtpOptions> options)
    {
        this.options = options.Value;
        var size = Math.Max(1, this.options.Connections);
        idle = Channel.CreateBounded<SmtpClient>(size);
        for (var n = 0; n < size; n++) idle.Writer.TryWrite(Create());
    }

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Host);

    public SmtpOptions Options => options;

    public async Task<SmtpClient> RentAsync(CancellationToken ct) => await idle.Reader.ReadAsync(ct);

    /// <summary>Gives a client back; a client whose send failed is disposed and replaced by a fresh one.</summary>
    public void Return(SmtpClient client, bool healthy)
    {
        if (!healthy)
        {
            lock (gate) all.Remove(client);
            client.Dispose();
            client = Create();
        }
        idle.Writer.TryWrite(client);
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
