using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Talks;

/// <summary>A talk recorded on one item (<c>POST /api/items/{id}/talks</c>, the item screen).</summary>
public sealed record TalkRecording(Guid ItemId, TalkRequest Request);

/// <summary>
/// The record of an admonitory talk (约谈) that the API (<c>POST /api/items/{id}/talks</c>) and the item screen share
/// (issue 18: pages call commands, not endpoint handlers): validation, the row (linked to the item's admonitoryTalk
/// escalation, if any) and the administrative journal.
/// </summary>
public static class TalkCommands
{
    /// <summary>
    /// The talk as recorded; 400 on a bad field, 404 when the item is not visible, 403 for anyone but the offices and the
    /// administrator, 422 for a date beyond reach or in the future, a draft item or a closed campaign.
    /// </summary>
    /// <param name="wall">The wall clock, for when the talk was recorded (the journal's too).</param>
    public static async Task<Outcome<TalkDto>> RecordAsync(
        NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, TimeProvider wall, TalkRecording recording, CurrentUser actor,
        CancellationToken ct)
    {
        var (id, request) = recording;
        var v = new Validator();
        DateOnly heldOn = default;
        if (string.IsNullOrWhiteSpace(request.HeldOn)) v.Add("heldOn", "必填 / required");
        else if (!Validator.TryParseDate(request.HeldOn, out heldOn)) v.Add("heldOn", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        else ItemValidation.DateInAbsoluteRange(v, "heldOn", heldOn);
        var people = v.OptionalMultiline("people", request.People, 1000);
        if (people is null && !v.Errors.ContainsKey("people")) v.Add("people", "请填写约谈对象 / who was talked to is required");
        var note = v.OptionalMultiline("note", request.Note, 5000);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var item = await ItemQueries.FindRowAsync(connection, id, actor, ct);
        if (item is null) return Refusal.NotFound("问题");
        if (!TalkQueries.MayRecord(actor, item))
            return Refusal.Forbidden("只有督查室、领导小组办公室或管理员可以记录约谈 / not allowed to record a talk");
        if (await ItemValidation.CheckReachAsync(connection, item.CampaignId, heldOn, "heldOn", ct) is { } beyond) return beyond;
        if (item.State == ItemStates.Draft) return Refusal.Unprocessable("问题尚未交办，不能记录约谈 / the item is not assigned yet");
        if (item.CampaignState == CampaignStates.Closed)
            return Refusal.Unprocessable("整改工作已结束归档，不能再记录约谈 / the campaign is closed and read-only");
        if (heldOn > ItemStatus.LocalToday(clock.GetUtcNow(), item.TimeZone))
            return Refusal.Unprocessable("约谈日期不能晚于今天 / the talk cannot be in the future", "heldOn");

        var talkId = Guid.CreateVersion7(clock.GetUtcNow());
        const string sql = """
            insert into admonitory_talks(id, campaign_id, item_id, escalation_id, held_on, people, note, recorded_by, recorded_at)
            values (@talkId, @campaignId, @id, (select e.id from escalations e where e.item_id = @id and e.level = 'admonitoryTalk'
                                                 order by e.resolved_at is null desc, e.opened_at desc limit 1),
                    @heldOn, @people, @note, @by, @at)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            talkId, campaignId = item.CampaignId, id, heldOn, people, note, by = actor.UserName, at = wall.GetUtcNow(),
        }, cancellationToken: ct));
        var change = new AdminChange("talk.recorded", "item", id.ToString(), new { talkId, heldOn, people });
        await journal.RecordAsync(connection, actor.UserName, change, ct);
        return (await TalkQueries.ListAsync(connection, id, ct)).First(t => t.Id == talkId);
    }
}
