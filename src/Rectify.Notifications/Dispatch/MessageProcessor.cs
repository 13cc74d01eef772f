using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using Rectify.Notifications.Calendar;
using Rectify.Notifications.Channels;
using Rectify.Notifications.Content;

namespace Rectify.Notifications.Dispatch;

/// <summary>
/// What happens to one claimed row: quiet hours (hold until allowed), render, digest hold, then one send through its
/// channel under a Polly timeout, and the outcome: sent, failed with a back-off, dead, or deferred without an attempt.
/// </summary>
public sealed class MessageProcessor
{
    private readonly IReadOnlyDictionary<string, INotificationChannel> channels;
    private readonly MessageRenderer renderer;
    private readonly QuietHours quietHours;
    private readonly RetrySchedule retries;
    private readonly TimeProvider clock;
    private readonly NotificationOptions options;
    private readonly ResiliencePipeline pipeline;
    private readonly ILogger<MessageProcessor> logger;
    private readonly NotificationMetrics? metrics;

    public MessageProcessor(
        IEnumerable<INotificationChannel> channels, MessageRenderer renderer, QuietHours quietHours, RetrySchedule retries,
        TimeProvider clock, IOptions<NotificationOptions> options, ILogger<MessageProcessor> logger, NotificationMetrics? metrics = null)
    {
        this.metrics = metrics;
        this.channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);
        this.renderer = renderer;
        this.quietHours = quietHours;
        this.retries = retries;
        this.clock = clock;
        this.options = options.Value;
        this.logger = logger;
        pipeline = new ResiliencePipelineBuilder().AddTimeout(this.options.SendTimeout).Build();
    }

    /// <summary>Messages that may wake people up and skip the digest: urgent ones and admonitory talks.</summary>
    public static bool IsPressing(ClaimedRow row) => row.Urgent || row.Level == "admonitoryTalk";

    public async Task<Outcome> ProcessAsync(ClaimedRow row, Recipient? recipient, ContextLoader.Context context, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (recipient is null) return Finish(row, now, SendResult.Permanent("recipient person not found / 收件人不存在"), null, 0);
        if (!channels.TryGetValue(row.Channel, out var channel))
            return Finish(row, now, SendResult.Permanent($"unknown channel {row.Channel}"), null, 0);

        if (!IsPressing(row) && row.Channel != "inbox")
        {
            var zoneId = row.CampaignId is { } cid && context.Campaigns.TryGetValue(cid, out var c) ? c.TimeZone
                : row.ItemId is { } iid && context.Items.TryGetValue(iid, out var it) && context.Campaigns.TryGetValue(it.CampaignId, out var c2) ? c2.TimeZone
                : options.TimeZone;
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            var start = TimeOnly.TryParse(recipient.QuietStart, System.Globalization.CultureInfo.InvariantCulture, out var qs) ? qs : options.QuietStart;
            var end = TimeOnly.TryParse(recipient.QuietEnd, System.Globalization.CultureInfo.InvariantCulture, out var qe) ? qe : options.QuietEnd;
            var allowed = await quietHours.NextAllowedAsync(now, zone, start, end, ct);
            if (allowed > now)
                return Finish(row, now, SendResult.Defer(allowed, $"quiet hours until {allowed:yyyy-MM-dd HH:mm}Z / 免打扰时段"), null, 0);
        }

        RenderedMessage message;
        MessageFacts facts;
        try
        {
            (message, facts) = await renderer.RenderAsync(row, recipient, context, now, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A template or data problem is this row's failure (retried, then dead), never the dispatcher's.
            logger.LogWarning(ex, "Could not render outbox row {Id}", row.Id);
            return Finish(row, now, SendResult.Fail($"render failed: {ex.Message}"), null, 0);
        }

        if (recipient.Digest && !IsPressing(row) && row.Kind != "digest")
            return Finish(row, now, new SendResult(SendStatus.Deferred), message, 0, held: true);

        var watch = Stopwatch.StartNew();
        SendResult result;
        try
        {
            var delivery = new Delivery(row, recipient, message, facts);
            result = await pipeline.ExecuteAsync(
                static async (state, token) => await state.channel.SendAsync(state.delivery, state.now, token),
                (channel, delivery, now), ct);
        }
        catch (TimeoutRejectedException)
        {
            result = SendResult.Fail($"timed out after {options.SendTimeout.TotalSeconds:0.#} s / 发送超时");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            result = SendResult.Fail($"{ex.GetType().Name}: {Flatten(ex)}");
        }
        return Finish(row, clock.GetUtcNow(), result, message, (int)watch.ElapsedMilliseconds);
    }

    /// <summary>The outcome of a row whose processing threw: a failed attempt like any other.</summary>
    public Outcome Crashed(ClaimedRow row, Exception ex) =>
        Finish(row, clock.GetUtcNow(), SendResult.Fail($"{ex.GetType().Name}: {Flatten(ex)}"), null, 0);

    private Outcome Finish(ClaimedRow row, DateTimeOffset now, SendResult result, RenderedMessage? message, int ms, bool held = false)
    {
        var subject = message?.Subject;
        var body = message?.Text;
        if (held) return new Outcome(row.Id, row.ClaimToken, OutcomeKind.Held, row.Status, now, now, null, subject, body, ms);
        switch (result.Status)
        {
            case SendStatus.Sent:
                metrics?.Sent(row.Channel);
                return new Outcome(row.Id, row.ClaimToken, OutcomeKind.Sent, row.Status, now, now, null, subject, body, ms);
            case SendStatus.Deferred:
                return new Outcome(row.Id, row.ClaimToken, OutcomeKind.Deferred, row.Status, now, result.RetryAt ?? now, result.Error, subject, body, ms);
            case SendStatus.Permanent:
                logger.LogWarning("Outbox row {Id} ({Channel}) is dead: {Error}", row.Id, row.Channel, result.Error);
                return new Outcome(row.Id, row.ClaimToken, OutcomeKind.Dead, row.Status, now, now, result.Error, subject, body, ms);
            default:
                var attempt = row.Attempts + 1;
                if (retries.IsLast(attempt))
                {
                    logger.LogWarning("Outbox row {Id} ({Channel}) is dead after {Attempts} attempts: {Error}", row.Id, row.Channel, attempt, result.Error);
                    return new Outcome(row.Id, row.ClaimToken, OutcomeKind.Dead, row.Status, now, now, result.Error, subject, body, ms);
                }
                // The back-off runs on real time: a rehearsal moving the campaign clock must not bring retries forward.
                return new Outcome(row.Id, row.ClaimToken, OutcomeKind.Failed, row.Status, now, now, result.Error, subject, body, ms, retries.DelayAfter(attempt));
        }
    }

    private static string Flatten(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null && messages.Count < 3; e = e.InnerException) messages.Add(e.Message);
        return string.Join(" → ", messages);
    }
}
