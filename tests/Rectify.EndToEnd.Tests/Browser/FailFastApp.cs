using System.Net;
using System.Net.Sockets;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// The browser app with messages that die at their first failure (MaxAttempts 1) and a default webhook on a loopback
/// port where nothing listens yet: a test opens a listener there when it wants the next attempt to succeed.
/// </summary>
public sealed class FailFastApp : BrowserApp
{
    public int WebhookPort { get; } = FreePort();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Rectify:Notifications:MaxAttempts"] = "1";
            settings["Rectify:Webhook:Url"] = $"http://127.0.0.1:{WebhookPort}/hook";
            return settings;
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
