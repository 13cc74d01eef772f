using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Rectify.Notifications.Calendar;
using Rectify.Notifications.Digests;
using Rectify.Notifications.Dispatch;
using Rectify.Notifications.Letters;
using Rectify.Workflows.Domain;

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
        var payload = Payload.Parse(row.Payload);
        var item = row.ItemId is { } iid && context.Items.TryGetValue(iid, out var i) ? i : null;
        var campaignId = row.CampaignId ?? item?.CampaignId;
        var campaign = campaignId is { } cid && context.Campaigns.TryGetValue(cid, out var c) ? c : null;
        var zone = campaign?.TimeZone ?? options.Value.TimeZone;
        var today = ItemStatus.LocalToday(now, zone);

        var deadline = payload.Date("deadline", "dueDate", "deliverable.dueDate") ?? item?.EffectiveDeadline ?? item?.Deadline;
        var closed = item?.State == ItemStates.Closed;
        int? overdue = null, workingOverdue = null, workingLeft = null;
        if (deadline is { } d && !closed)
        {
            if (today > d)
            {
                overdue = payload.Int("overdueDays") ?? today.DayNumber - d.DayNumber;
                workingOverdue = payload.Int("workingDaysOverdue") ?? await workingDays.CountAsync(d, today, ct);
            }
            else
            {
                workingLeft = payload.Int("workingDaysLeft") ?? await workingDays.CountAsync(today, d, ct);
            }
        }
        else if (!closed)
        {
            overdue = payload.Int("overdueDays");
            workingOverdue = payload.Int("workingDaysOverdue");
            workingLeft = payload.Int("workingDaysLeft");
        }

        var link = item is not null ? links.Item(item.Id) : campaign is not null ? links.Campaign(campaign.Id) : links.Inbox;
        LetterInfo? letter = null;
        if (row is { Kind: "escalation", Level: "supervisionLetter" })
        {
            var escalationId = row.EscalationId ?? (Guid.TryParse(payload.String("escalationId"), out var eid) ? eid : null);
            // Only an e-mail carries the .docx; other channels quote its number and response date.
            letter = await letters.EnsureAsync(escalationId, row.ItemId, payload, now, withDocument: row.Channel == "email", ct);
        }
        var digestLines = row.Kind == "digest" && recipient is not null
            ? await digests.LinesAsync(row, recipient, today, now, ct)
            : [];

        var facts = new MessageFacts(
            row.Id, row.Kind, row.Level, recipient?.Language ?? "zh", recipient?.Name ?? "您好", recipient?.UnitName,
            item, campaign, payload, today, deadline, workingLeft, overdue, workingOverdue, link, links.BaseUrl, letter, digestLines);
        return (Composer.Compose(Templates.For(facts), facts), facts);
    }
}
