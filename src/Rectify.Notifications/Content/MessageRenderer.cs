using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Calendar;
using Rectify.Notifications.Digests;
using Rectify.Notifications.Dispatch;
using Rectify.Notifications.Letters;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

/// <summary>Where links in messages point: Rectify:PublicBaseUrl, else the first listening URL.</summary>
public sealed class PublicLinks(IConfiguration configuration)
{
    public string BaseUrl { get; } = (configuration["Rectify:PublicBaseUrl"]
        ?? configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
        ?? "http://127.0.0.1:5080").TrimEnd('/');

    public string Item(Guid id) => $"{BaseUrl}/items/{id}";
    public string Campaign(Guid id) => $"{BaseUrl}/campaigns/{id}";
    public string Inbox => $"{BaseUrl}/inbox";
    public string Deliverables => $"{BaseUrl}/deliverables";
}

/// <summary>
/// Turns an outbox row into text: reads the payload, fills what is missing from the item and campaign rows, works
/// out dates in the campaign's time zone and working days, and fetches the supervision letter or digest lines.
/// </summary>
public sealed class MessageRenderer(
    IWorkingDays workingDays, IOptions<NotificationOptions> options, PublicLinks links, SupervisionLetters letters, DigestContent digests)
{
    public async Task<(RenderedMessage Message, MessageFacts Facts)> RenderAsync(
        ClaimedRow row, Recipient? recipient, ContextLoader.Context context, DateTimeOffset now, CancellationToken ct)
    {
        var message = context.MessageOf(row);
        var itemId = row.ItemId ?? message.Subject.Item();
        var item = itemId is { } iid && context.Items.TryGetValue(iid, out var i) ? i : null;
        var campaignId = row.CampaignId ?? message.Subject.Campaign() ?? item?.CampaignId;
        var campaign = campaignId is { } cid && context.Campaigns.TryGetValue(cid, out var c) ? c : null;
        var zone = campaign?.TimeZone ?? options.Value.TimeZone;
        var today = ItemStatus.LocalToday(now, zone);

        var deadline = DeadlineOf(message, item);
        var (workingLeft, overdue, workingOverdue) = await CountAsync(message, item, deadline, today, workingDays.CountAsync, ct);

        var link = LinkOf(links, message, item, campaign);
        LetterInfo? letter = null;
        if (row is { Kind: "escalation", Level: "supervisionLetter" })
        {
            // Only an e-mail carries the .docx; other channels quote its number and response date.
            letter = await letters.EnsureAsync(row.EscalationId, itemId, deadline, now, withDocument: row.Channel == "email", ct);
        }
        var digestLines = row.Kind == "digest" && recipient is not null
            ? await digests.LinesAsync(row, recipient, today, now, ct)
            : [];

        var facts = new MessageFacts(
            row.Id, message, recipient?.Language ?? "zh", recipient?.Name ?? "您好", recipient?.UnitName,
            item, campaign, today, deadline, workingLeft, overdue, workingOverdue, link, links.BaseUrl, letter, digestLines, context.Units,
            TalkOf(message));
        return (Composer.Compose(Templates.For(facts), facts), facts);
    }

    /// <summary>The appointment of an admonitory talk the office set (the message carries it), or null: "另行通知".</summary>
    public static TalkFacts? TalkOf(OutboxMessage message) =>
        message is EscalationMessage { Talk: { } talk } ? new TalkFacts(talk.At, talk.Place, talk.Attendees, talk.Revision) : null;

    /// <summary>
    /// Working days left until <paramref name="deadline"/>, or days and working days past it, as of
    /// <paramref name="today"/>. A closed item is late no more; a periodic report or a deliverable is late by its own
    /// date whatever the item's state. <paramref name="count"/> counts working days in (from, to].
    /// </summary>
    public static async Task<(int? Left, int? Overdue, int? WorkingOverdue)> CountAsync(
        OutboxMessage message, ItemFacts? item, DateOnly? deadline, DateOnly today, Func<DateOnly, DateOnly, CancellationToken, Task<int>> count, CancellationToken ct)
    {
        var closed = item?.State == ItemStates.Closed && message.Subject is ItemRef or AssignmentRef;
        if (deadline is not { } d || closed) return (null, null, null);
        return today > d
            ? (null, today.DayNumber - d.DayNumber, await count(d, today, ct))
            : (await count(today, d, ct), null, null);
    }

    /// <summary>Where a message links: the deliverables page, the item, the campaign, else the inbox.</summary>
    public static string LinkOf(PublicLinks links, OutboxMessage message, ItemFacts? item, CampaignFacts? campaign) =>
        message.Subject is DeliverableRef ? links.Deliverables
            : item is not null ? links.Item(item.Id) : campaign is not null ? links.Campaign(campaign.Id) : links.Inbox;

    /// <summary>
    /// The date a message is about: a periodic report's date, a deliverable's due date, the deadline the runtime
    /// wrote (after a decision: the deadline it left), else the item's deadline now.
    /// </summary>
    public static DateOnly? DeadlineOf(OutboxMessage message, ItemFacts? item)
    {
        var current = item?.EffectiveDeadline ?? item?.Deadline;
        return message switch
        {
            PeriodicReportMessage p => p.ReportDate,
            _ when message.Subject is PeriodicReportRef r => r.ReportDate,
            _ when message.Subject is DeliverableRef dr => dr.DueDate,
            ReminderMessage r => r.Deadline,
            EscalationMessage e => e.Deadline ?? current,
            AssignedMessage a => a.Deadline ?? current,
            UnacknowledgedMessage u => u.Deadline ?? current,
            DecisionMessage d => d.Deadline ?? current,
            _ => current,
        };
    }
}
