using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using MailKit;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using MailKitSmtp = MailKit.Net.Smtp.SmtpClient;

namespace Rectify.Notifications.Channels;

/// <summary>
/// Parallel SMTP connections (Rectify:Smtp:Connections) with MailKit, asynchronous end to end: a send waits for a
/// free connection, and no thread is held while a connection waits for the server. Each connection is a socket with
/// Nagle's algorithm off (NoDelay), handed to MailKit's ConnectAsync(Socket, …): the message's final "." is a small
/// write, and with Nagle on it would wait for the server's delayed ACK (≈ 40 ms on Linux) on every message.
/// <para>
/// A connection idle longer than MaxIdle is replaced before use (so one the server closed is never used), and one
/// whose send failed is dropped; the next message on that connection opens a fresh one.
/// </para>
/// <para>
/// Cancellation (the dispatcher's send timeout, shutdown) stops a send only until the whole message has been written.
/// From then on the server may already have accepted it, so the send is never cut short: it waits for the server's
/// reply, bounded by IoTimeout only. If the reply does not come the outcome is unknown and
/// <see cref="SmtpDeliveryUnconfirmedException"/> says how: the server fell silent on an open connection (the caller
/// must not send the message again by itself: a live server may have it), or the connection was lost (the server or
/// the network went down — a crash, after which at-least-once applies: the message is sent again under the same
/// Message-ID, which marks the repeat). Cutting a send short and retrying it later is how one outbox row reached a
/// server twice (docs/notifications.md).
/// </para>
/// </summary>
public sealed class SmtpPool : IAsyncDisposable, IDisposable
{
    private sealed class Lane
    {
        public MailKitSmtp? Client;
        public DateTimeOffset LastUsed;
    }

    private readonly SmtpOptions options;
    private readonly TimeProvider wall;
    private readonly SmtpCertificateTrust trust;
    private readonly Channel<Lane> free;
    private readonly Lane[] lanes;

    /// <summary>RFC 2047 encoded-words for parameters (attachment names): what older Outlook and Foxmail understand,
    /// where RFC 2231 (MimeKit's default) shows them garbled.</summary>
    public static readonly FormatOptions Format = CreateFormat();

    public SmtpPool(IOptions<SmtpOptions> options, [FromKeyedServices("wall")] TimeProvider wall)
    {
        this.options = options.Value;
        this.wall = wall;
        trust = new SmtpCertificateTrust(this.options);
        lanes = [.. Enumerable.Range(0, Math.Max(1, this.options.Connections)).Select(_ => new Lane())];
        free = Channel.CreateBounded<Lane>(lanes.Length);
        foreach (var lane in lanes) free.Writer.TryWrite(lane);
    }

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Host);

    public SmtpOptions Options => options;

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.ParameterEncodingMethod = ParameterEncodingMethod.Rfc2047;
        format.International = false;
        return format;
    }

    /// <summary>Sends one message on the next free connection; returns the server's reply to the message.</summary>
    /// <exception cref="MailKit.Net.Smtp.SmtpCommandException">The server refused (4xx/5xx) the sender, a recipient or the message.</exception>
    /// <exception cref="SmtpDeliveryUnconfirmedException">The whole message went out but no reply came.</exception>
    public async Task<string> SendAsync(MimeMessage message, CancellationToken ct)
    {
        var lane = await free.Reader.ReadAsync(ct);
        try
        {
            if (lane.Client is { } old && (!old.IsConnected || wall.GetUtcNow() - lane.LastUsed > options.MaxIdle))
            {
                lane.Client = null;
                await QuitAsync(old);
            }
            lane.Client ??= await ConnectAsync(ct);
            using var transaction = new Transaction(ct, options.IoTimeout);
            try
            {
                var reply = await lane.Client.SendAsync(Format, message, transaction.Token, transaction);
                lane.LastUsed = wall.GetUtcNow();
                return reply;
            }
            catch (MailKit.Net.Smtp.SmtpCommandException) when (lane.Client.IsConnected)
            {
                // A refusal leaves the connection usable (MailKit sent RSET).
                lane.LastUsed = wall.GetUtcNow();
                throw;
            }
            catch (Exception ex) when (transaction.Committed && ex is not MailKit.Net.Smtp.SmtpCommandException)
            {
                Drop(lane);
                throw new SmtpDeliveryUnconfirmedException(ex, connectionLost: ex is not (OperationCanceledException or TimeoutException));
            }
            catch
            {
                Drop(lane);
                throw;
            }
        }
        catch
        {
            if (lane.Client is { IsConnected: false }) Drop(lane);
            throw;
        }
        finally
        {
            free.Writer.TryWrite(lane);
        }
    }

    private static void Drop(Lane lane)
    {
        lane.Client?.Dispose();
        lane.Client = null;
    }

    private async Task<MailKitSmtp> ConnectAsync(CancellationToken ct)
    {
        var host = options.Host!.Trim();
        var client = new MailKitSmtp
        {
            Timeout = (int)options.IoTimeout.TotalMilliseconds,
            CheckCertificateRevocation = options.CheckRevocation,
            ServerCertificateValidationCallback = trust.Validate,
        };
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, options.Port, ct);
            await client.ConnectAsync(socket, host, options.Port, Secure(options), ct);
            if (!string.IsNullOrEmpty(options.User))
                await client.AuthenticateAsync(new NetworkCredential(options.User, options.Password), ct);
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    public static SecureSocketOptions Secure(SmtpOptions options) => options.EffectiveSecurity switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.Auto,
    };

    private static async Task QuitAsync(MailKitSmtp client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(true, quit.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or MailKit.Net.Smtp.SmtpProtocolException)
        {
            // The server had already gone; nothing to say goodbye to.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// One message's transfer: passes the caller's cancellation to MailKit only until the whole message has been
    /// written (MailKit reports the bytes; the last report comes before it writes the final "."). The first of the two
    /// to happen wins, so a cancellation either stops the send before the server can have the whole message or is
    /// ignored.
    /// </summary>
    private sealed class Transaction : ITransferProgress, IDisposable
    {
        private const int Open = 0, Written = 1, Cancelled = 2;
        private readonly CancellationTokenSource source = new();
        private readonly CancellationTokenRegistration registration;
        private readonly TimeSpan replyTimeout;
        private int state;

        public Transaction(CancellationToken caller, TimeSpan replyTimeout)
        {
            this.replyTimeout = replyTimeout;
            registration = caller.Register(static t =>
            {
                var self = (Transaction)t!;
                if (Interlocked.CompareExchange(ref self.state, Cancelled, Open) == Open) self.source.Cancel();
            }, this);
        }

        public CancellationToken Token => source.Token;

        /// <summary>The whole message was handed to the connection: the server may accept it from now on.</summary>
        public bool Committed => Volatile.Read(ref state) == Written;

        public void Report(long bytesTransferred, long totalSize)
        {
            // Dot-stuffing only adds bytes, so this is reached at the end of the message at the latest.
            // From here on one deadline bounds the rest (final ".", the reply), whatever MailKit's per-operation time-outs.
            if (bytesTransferred >= totalSize && Interlocked.CompareExchange(ref state, Written, Open) == Open) source.CancelAfter(replyTimeout);
        }

        public void Report(long bytesTransferred)
        {
        }

        public void Dispose()
        {
            registration.Dispose();
            source.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        free.Writer.TryComplete();
        foreach (var lane in lanes)
        {
            if (lane.Client is { } client)
            {
                lane.Client = null;
                await QuitAsync(client);
            }
        }
    }

    public void Dispose()
    {
        free.Writer.TryComplete();
        foreach (var lane in lanes) Drop(lane);
    }
}

/// <summary>
/// The whole message reached the connection, then the reply did not come: the server may or may not have accepted it.
/// <see cref="ConnectionLost"/> tells the two cases apart: false — the server stayed connected and silent until the
/// time-out (sending again could deliver it twice to a live server, so the row is not retried by itself); true — the
/// connection broke (server or network down: a crash, retried at least once under the same Message-ID).
/// </summary>
public sealed class SmtpDeliveryUnconfirmedException(Exception inner, bool connectionLost)
    : Exception($"the whole message was sent but the server's reply did not come ({inner.GetType().Name}: {inner.Message})", inner)
{
    public bool ConnectionLost { get; } = connectionLost;
}
