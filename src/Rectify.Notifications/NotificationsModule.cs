using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rectify.Notifications.Calendar;
using Rectify.Notifications.Channels;
using Rectify.Notifications.Content;
using Rectify.Notifications.Digests;
using Rectify.Notifications.Dispatch;
using Rectify.Notifications.Letters;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications;

public static class NotificationsModule
{
    /// <summary>
    /// The notifications module: dispatcher and digest scheduler (hosted on every node), channels, templates, letters.
    /// Needs the NpgsqlDataSource and the application TimeProvider (RectifyClock) registered by the host.
    /// </summary>
    public static IServiceCollection AddRectifyNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection("Rectify:Notifications"));
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection("Rectify:Smtp"));
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Rectify:Webhook"));
        services.AddOptions<SmsOptions>().Bind(configuration.GetSection("Rectify:Sms"));
        services.AddOptions<LetterOptions>().Bind(configuration.GetSection("Rectify:Letters"));
        services.TryAddKeyedSingleton("wall", TimeProvider.System);
        services.TryAddSingleton<INotificationOutbox, SqlNotificationOutbox>();

        services.TryAddSingleton<WorkingCalendar>();
        services.TryAddSingleton<IWorkingDays, CalendarWorkingDays>();
        services.TryAddSingleton<Rectify.Workflows.Timers.JobGuard>();
        services.AddSingleton<QuietHours>();
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<ContextLoader>();
        services.AddSingleton<SupervisionLetters>();
        services.AddSingleton<DigestContent>();
        services.AddSingleton<DigestBuilder>();
        services.AddSingleton<MessageRenderer>();
        services.AddSingleton<Log.ItemNotificationLog>();

        services.AddSingleton<OutboundPolicy>();
        services.AddSingleton<NotificationHttp>();
        services.AddSingleton<ChannelRateLimiter>();
        services.AddSingleton<SmtpPool>();
        services.AddSingleton<INotificationChannel, EmailChannel>();
        services.AddSingleton<INotificationChannel, WeComChannel>();
        services.AddSingleton<INotificationChannel, DingTalkChannel>();
        services.AddSingleton<INotificationChannel, FeishuChannel>();
        services.AddSingleton<INotificationChannel, WebhookChannel>();
        services.AddSingleton<INotificationChannel, SmsChannel>();
        services.AddSingleton<INotificationChannel, InboxChannel>();

        services.AddSingleton<OutboxStore>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<RetrySchedule>();
        services.AddSingleton<NotificationMetrics>();
        services.AddSingleton<MessageProcessor>();
        services.AddHostedService<OutboxDispatcher>();
        services.AddSingleton<DailyDigests>();
        services.AddHostedService<DigestsOnClockMove>();
        services.AddHostedService<ChannelStatusLogger>();
        return services;
    }
}
