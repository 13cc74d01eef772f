using System.Net;
using System.Net.Sockets;

namespace Rectify.Notifications.Channels;

/// <summary>
/// The one HttpClient of the robot, webhook and SMS channels: pooled keep-alive connections (rotated every few minutes
/// so DNS changes are picked up). No HttpClient timeout: the dispatcher's Polly pipeline times each send out.
/// Every connection goes through <see cref="OutboundPolicy"/>: the name is resolved here and only an allowed address
/// is connected to (no proxy, no redirects, which would each be a way around that check).
/// </summary>
public sealed class NotificationHttp : IDisposable
{
    public NotificationHttp(OutboundPolicy policy)
    {
        Policy = policy;
        Client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 256,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = ConnectAsync,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { { "User-Agent", "Rectify-Notifications/1.0" } },
        };
    }

    public OutboundPolicy Policy { get; }

    public HttpClient Client { get; }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await Policy.AddressesAsync(context.DnsEndPoint.Host, ct);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (Exception)
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A send refused by the policy (when connecting): permanent, the same URL will never be allowed by retrying.</summary>
    public static string? Refusal(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is OutboundRefusedException refused) return refused.Message;
        return null;
    }

    public void Dispose() => Client.Dispose();
}
