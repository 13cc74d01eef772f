using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <summary>An event sent to one item (<c>POST /api/items/{id}/events</c>, the item and decision screens).</summary>
public sealed record ItemEvent(Guid ItemId, EventBody Body);

/// <summary>
/// The events of items that the API (<c>POST /api/items/{id}/events</c>) and the item and decision screens share
/// (issue 18: pages call commands, not endpoint handlers): the body checked, then the runtime's one transaction.
/// </summary>
public static class ItemEventCommands
{
    private static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "acknowledge", "progress", "complete", "requestClosure", "approveClosure", "returnClosure", "requestExtension", "approveExtension",
        "rejectExtension", "reopen", "withdraw", "urge",
    };

    /// <summary>
    /// The item as it is after the event; 400 on a bad body, 404 when not visible, 403 when the caller may not send it,
    /// 409 (with <c>currentVersion</c>) when the item changed since the version sent, 422 when the state machine refuses.
    /// </summary>
    public static async Task<Outcome<ItemDto>> SendAsync(
        NpgsqlDataSource db, TimeProvider clock, ItemEventService events, DefinitionStore definitions, ItemEvent sent, CurrentUser actor,
        CancellationToken ct)
    {
        var (id, body) = sent;
        var v = new Validator();
        var type = v.OneOf("type", body.Type, EventTypes);
        var note = v.OptionalMultiline("note", body.Note, 5000);
        DateOnly? newDeadline = null;
        if (!string.IsNullOrWhiteSpace(body.NewDeadline))
        {
            if (Validator.TryParseDate(body.NewDeadline, out var date)) newDeadline = date;
            else v.Add("newDeadline", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        }
        ItemValidation.DateInAbsoluteRange(v, "newDeadline", newDeadline);
        if (body.AttachmentIds is { Count: > 50 }) v.Add("attachmentIds", "附件不能超过 50 个 / at most 50 attachments");
        if (body.ExpectedVersion is < 1) v.Add("expectedVersion", "版本号必须为正整数 / must be a positive integer");
        var unit = v.Optional("unit", body.Unit, 64);
        if (body.Units is { Count: > 500 } || body.Units?.Any(string.IsNullOrWhiteSpace) == true)
            v.Add("units", "退回的单位列表无效 / invalid list of units");
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (await ItemQueries.FindRowAsync(connection, id, actor, ct) is not { } row) return Refusal.NotFound("问题");
        if (await ItemValidation.CheckReachAsync(connection, row.CampaignId, newDeadline, "newDeadline", ct) is { } beyond) return beyond;
        var request = new EventRequest(type!, note, newDeadline, body.AttachmentIds ?? [], body.ExpectedVersion, unit, body.Units);
        var outcome = await events.ApplyAsync(id, ItemAllowedEvents.Actor(actor), request, clock.GetUtcNow(), notify: true, ct);
        return outcome switch
        {
            EventApplied => (await ItemQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct, definitions))!,
            EventConflict c => Refusal.Conflict(
                $"问题已被他人修改（当前版本 {c.CurrentVersion}，您提交的是 {body.ExpectedVersion}），请刷新后重试。/ version mismatch",
                new Dictionary<string, object?> { ["currentVersion"] = c.CurrentVersion }),
            EventRefused r => Refusal.Unprocessable(r.Message, r.Field),
            EventForbidden f => Refusal.Forbidden(f.Message),
            _ => Refusal.NotFound("问题"),
        };
    }
}
