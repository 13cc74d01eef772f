using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Channels;

namespace Rectify.Notifications;

/// <summary>Says once at start which channels are off, so an operator knows why e-mail rows wait.</summary>
public sealed class ChannelStatusLogger(SmtpPool smtp, IOptions<NotificationOptions> notifications, IOptions<SmsOptions> sms, IOptions<WebhookOptions> webhook, ILogger<ChannelStatusLogger> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!smtp.Enabled)
            logger.LogWarning("E-mail channel off: Rectify__Smtp__Host is not set. E-mail notifications wait (pending) until SMTP is configured.");
        else
            logger.LogInformation("E-mail via {Host}:{Port} (security {Security}, {Connections} connections)", smtp.Options.Host, smtp.Options.Port, smtp.Options.EffectiveSecurity, smtp.Options.Connections);
        if (smtp.Enabled && notifications.Value.Lease <= notifications.Value.SendTimeout + smtp.Options.IoTimeout)
            logger.LogWarning("Rectify:Notifications:Lease ({Lease}) should exceed SendTimeout ({Send}) + Rectify:Smtp:IoTimeout ({Io}): an e-mail still waiting for its reply when the lease ends may be sent again by another node",
                notifications.Value.Lease, notifications.Value.SendTimeout, smtp.Options.IoTimeout);
        if (string.IsNullOrWhiteSpace(sms.Value.Url)) logger.LogInformation("SMS channel off: Rectify__Sms__Url is not set");
        if (string.IsNullOrWhiteSpace(webhook.Value.Url)) logger.LogInformation("No default generic webhook (Rectify__Webhook__Url); only people with their own webhook_url get webhook messages");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
