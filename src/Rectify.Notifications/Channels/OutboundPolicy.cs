using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>A destination the policy refuses (at the API edge or when connecting); the message says why, in Chinese and English.</summary>
public sealed class OutboundRefusedException(string message) : Exception(message);

/// <summary>
/// Where robot and webhook messages may go (issue 19: robot and webhook URLs could point anywhere, loopback included,
/// and the reply landed in lastError):
/// <list type="bullet">
/// <item>group-robot URLs only to the vendor's own host (<see cref="VendorHosts"/>, https), or to a host an operator
/// allows in <c>Rectify__Notifications__AllowedHosts</c> (e.g. an internal gateway, or a test's loopback receiver);</item>
/// <item>webhook URLs anywhere public, never to loopback, private, link-local, carrier-grade-NAT, multicast or reserved
/// addresses unless allowed;</item>
/// <item>checked twice: on the URL when it is stored (the API answers 422), and on the address actually connected to
/// (<see cref="NotificationHttp"/>'s connect callback resolves the name itself and connects only to an allowed
/// address), so a name that resolves to 127.0.0.1, or changes its answer later (DNS rebinding), gets nowhere.</item>
/// </list>
/// AllowedHosts entries (comma, semicolon or space separated): a host name (<c>hooks.example.cn</c>), a wildcard
/// (<c>*.example.cn</c>), an address (<c>127.0.0.1</c>) or a network (<c>10.20.0.0/16</c>). A name lets URLs name that
/// host; only an address or network entry lets a connection reach a private address. The hosts of the operator's own
/// <c>Rectify:Webhook:Url</c> and <c>Rectify:Sms:Url</c> are trusted as configured.
/// </summary>
public sealed class OutboundPolicy
{
    public static readonly IReadOnlyDictionary<string, string[]> VendorHosts = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["wecom"] = ["qyapi.weixin.qq.com"],
        ["dingtalk"] = ["oapi.dingtalk.com"],
        ["feishu"] = ["open.feishu.cn", "open.larksuite.com"],
    };

    private static readonly IPNetwork[] Blocked =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
            "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    private readonly HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> suffixes = [];
    private readonly List<IPNetwork> networks = [];
    private readonly HashSet<string> trusted = new(StringComparer.OrdinalIgnoreCase);

    public OutboundPolicy(IOptions<NotificationOptions> options, IOptions<WebhookOptions> webhook, IOptions<SmsOptions> sms)
    {
        foreach (var entry in (options.Value.AllowedHosts ?? "").Split([',', ';', ' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var ip)) networks.Add(new IPNetwork(ip, ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            else if (entry.StartsWith("*.", StringComparison.Ordinal)) suffixes.Add(entry[1..].ToLowerInvariant());
            else names.Add(entry.ToLowerInvariant());
        }
        foreach (var configured in new[] { webhook.Value.Url, sms.Value.Url })
            if (Uri.TryCreate(configured, UriKind.Absolute, out var uri)) trusted.Add(uri.IdnHost);
    }

    /// <summary>Null when a robot of <paramref name="channel"/> may be sent to <paramref name="url"/>; otherwise why not.</summary>
    public string? CheckRobot(string channel, string url)
    {
        if (!TryHost(url, out var uri, out var host)) return "必须是 http(s) 地址 / must be an http(s) URL";
        var vendor = VendorHosts.TryGetValue(channel, out var hosts) ? hosts : [];
        if (vendor.Contains(host, StringComparer.OrdinalIgnoreCase))
            return uri.Scheme == Uri.UriSchemeHttps ? null : "机器人地址必须使用 https / the robot URL must use https";
        if (NameAllowed(host)) return null;
        return $"机器人地址只能指向官方地址 {string.Join("、", vendor)}；其他地址（如内部网关）需运维在 Rectify__Notifications__AllowedHosts 中放行 / " +
               $"robot URLs may only point to {string.Join(", ", vendor)} unless an operator allows the host";
    }

    /// <summary>Null when a webhook may be sent to <paramref name="url"/>; otherwise why not. Names are resolved only when connecting.</summary>
    public string? CheckWebhook(string url)
    {
        if (!TryHost(url, out _, out var host)) return "必须是 http(s) 地址 / must be an http(s) URL";
        if (NameAllowed(host)) return null;
        var internalName = host is "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal) || host.EndsWith(".internal", StringComparison.Ordinal)
            || host.EndsWith(".local", StringComparison.Ordinal) || !host.Contains('.') && !IPAddress.TryParse(host, out _);
        if (internalName || IPAddress.TryParse(host, out var ip) && !AddressAllowed(ip))
            return "webhook 地址不能指向本机、内网、链路本地或组播地址 / the webhook URL must not point to loopback, private, link-local or multicast addresses";
        return null;
    }

    /// <summary>Whether a connection may go to this address (public, or inside an allowed network).</summary>
    public bool AddressAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return networks.Any(n => n.Contains(address)) || !Blocked.Any(n => n.Contains(address));
    }

    /// <summary>Hosts of the operator's own configured endpoints: connected to as configured.</summary>
    public bool IsTrusted(string host) => trusted.Contains(host);

    private bool NameAllowed(string host) =>
        names.Contains(host) || suffixes.Any(s => host.EndsWith(s, StringComparison.Ordinal))
        || IPAddress.TryParse(host.Trim('[', ']'), out var ip) && networks.Any(n => n.Contains(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));

    private static bool TryHost(string url, out Uri uri, out string host)
    {
        host = "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri!) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)) return false;
        host = uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        return host.Length > 0;
    }

    /// <summary>The addresses of <paramref name="host"/> a connection may use: resolved here, once, and checked.</summary>
    public async Task<IPAddress[]> AddressesAsync(string host, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (IsTrusted(host)) return addresses;
        var allowed = addresses.Where(AddressAllowed).ToArray();
        if (allowed.Length == 0)
            throw new OutboundRefusedException(
                $"{host} 解析到本机、内网或其他不允许的地址（{string.Join(", ", addresses.Select(a => a.ToString()))}），已拒绝连接 / {host} resolves only to addresses that are not allowed");
        return allowed;
    }
}
