using System.Net;

namespace Rectify.Notifications.Channels;

/// <summary>
/// The one HttpClient of the robot, webhook and SMS channels: pooled keep-alive connections (rotated every few minutes
/// so DNS changes are picked up). No HttpClient timeout: the dispatcher's Polly pipeline times each send out.
/// </summary>
public sealed class NotificationHttp : IDisposable
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = 256,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "User-Agent", "Rectify-Notifications/1.0" } },
    };

    public void Dispose() => Client.Dispose();
}
