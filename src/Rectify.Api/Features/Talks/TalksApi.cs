using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Talks;

public sealed record TalkRequest(string? HeldOn, string? People, string? Note);

public sealed record TalkDto(Guid Id, Guid ItemId, Guid? EscalationId, DateOnly HeldOn, string People, string? Note, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>
/// Admonitory talks (约谈) about an item: the supervision office (or the leading-group office, or the administrator)
/// records date, people and note. Extends API.md: GET/POST /api/items/{id}/talks. The open admonitoryTalk escalation of
/// the item, if any, is linked.
/// </summary>
public static class TalksApi
{
    public static IEndpointRouteBuilder MapTalksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/items/{id:guid}/talks").WithTags("Escalations").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/", Record);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<TalkDto>>, ProblemHttpResult>> List(Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await ItemQueries.FindRowAsync(connection, id, CurrentUser.From(http.User), ct) is null) return Problems.NotFound("问题");
        return TypedResults.Ok(await TalkQueries.ListAsync(connection, id, ct));
    }

    public static async Task<Results<Created<TalkDto>, ValidationProblem, ProblemHttpResult>> Record(
        Guid id, TalkRequest request, [AsParameters] ApiRequest api, AdminJournal journal, [FromKeyedServices("wall")] TimeProvider wall,
        CancellationToken ct)
    {
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        DateOnly heldOn = default;
        if (string.IsNullOrWhiteSpace(request.HeldOn)) v.Add("heldOn", "必填 / required");
        else if (!Validator.TryParseDate(request.HeldOn, out heldOn)) v.Add("heldOn", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        else ItemValidation.DateInAbsoluteRange(v, "heldOn", heldOn);
        var people = v.OptionalMultiline("people", request.People, 1000);
        if (people is null && !v.Errors.ContainsKey("people")) v.Add("people", "请填写约谈对象 / who was talked to is required");
        var note = v.OptionalMultiline("note", request.Note, 5000);
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var item = await ItemQueries.FindRowAsync(connection, id, user, ct);
        if (item is null) return Problems.NotFound("问题");
        if (!TalkQueries.MayRecord(user, item)) return Problems.Forbidden("只有督查室、领导小组办公室或管理员可以记录约谈 / not allowed to record a talk");
        if (await ItemValidation.CheckReachAsync(connection, item.CampaignId, heldOn, "heldOn", ct) is { } beyond) return beyond;
        if (item.State == ItemStates.Draft) return Problems.Unprocessable("问题尚未交办，不能记录约谈 / the item is not assigned yet");
        if (item.CampaignState == CampaignStates.Closed)
            return Problems.Unprocessable("整改工作已结束归档，不能再记录约谈 / the campaign is closed and read-only");
        if (heldOn > ItemStatus.LocalToday(clock.GetUtcNow(), item.TimeZone))
            return Problems.Unprocessable("约谈日期不能晚于今天 / the talk cannot be in the future", "heldOn");

        var talkId = Guid.CreateVersion7(clock.GetUtcNow());
        const string sql = """
            insert into admonitory_talks(id, campaign_id, item_id, escalation_id, held_on, people, note, recorded_by, recorded_at)
            values (@talkId, @campaignId, @id, (select e.id from escalations e where e.item_id = @id and e.level = 'admonitoryTalk'
                                                 order by e.resolved_at is null desc, e.opened_at desc limit 1),
                    @heldOn, @people, @note, @by, @at)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            talkId, campaignId = item.CampaignId, id, heldOn, people, note, by = user.UserName, at = wall.GetUtcNow(),
        }, cancellationToken: ct));
        await journal.RecordAsync(connection, http, new AdminChange("talk.recorded", "item", id.ToString(), new { talkId, heldOn, people }), ct);
        var dto = (await TalkQueries.ListAsync(connection, id, ct)).First(t => t.Id == talkId);
        return TypedResults.Created($"/api/items/{id}/talks", dto);
    }
}
