using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Channels;

namespace Rectify.Api.Features.People;

public sealed record PersonRequest(
    string? Name, string? Title, string? UnitCode, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, bool? IsUnitContact, bool? IsUnitHead = null);

public sealed record PersonDto(
    Guid Id, string Name, string? Title, string UnitCode, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, bool IsUnitContact, bool IsUnitHead = false);

/// <summary>
/// The people directory. <c>isUnitHead</c> marks a unit's head (主要负责人): listed supervision and admonitory talks reach
/// them (audience <c>leadUnitHead</c>, issue 14). Robot URLs carry their secret (<c>key=</c>, <c>access_token=</c>, Feishu's hook token) and are
/// write-only (issue 19: every signed-in user could read them): answers show them masked
/// (<c>https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****</c>), and a PUT that sends a masked value back keeps the
/// stored URL. New URLs must pass <see cref="OutboundPolicy"/> (vendor hosts only, unless an operator allows more): 422.
/// </summary>
public static class PeopleApi
{
    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/people").WithTags("People").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/", Create).RequireAuthorization(Policies.ManageOrganisation);
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.ManageOrganisation);
        return app;
    }

    public static async Task<Ok<Page<PersonDto>>> List(NpgsqlDataSource db, string? unit, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return TypedResults.Ok(await PersonQueries.ListAsync(connection, new PersonFilter(unit, q), Paging.From(page, pageSize), ct));
    }

    public static async Task<Results<Ok<PersonDto>, ProblemHttpResult>> Get(Guid id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var person = await PersonQueries.GetAsync(connection, id, ct);
        return person is null ? Problems.NotFound("人员") : TypedResults.Ok(person);
    }

    public static async Task<Results<Created<PersonDto>, ValidationProblem, ProblemHttpResult>> Create(
        PersonRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, TimeProvider clock, OutboundPolicy outbound, CancellationToken ct)
    {
        var v = new Validator();
        var person = Validate(v, Guid.CreateVersion7(clock.GetUtcNow()), request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        person = KeepStoredSecrets(person, null);
        if (RobotRefusal(outbound, person) is { } refused) return refused;
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UnitQueries.FindAsync(connection, person.UnitCode, ct) is null)
            return Problems.Unprocessable($"单位 {person.UnitCode} 不存在 / unit does not exist", "unitCode");
        const string sql = """
            insert into people(id, name, title, unit_code, email, mobile, wecom_webhook, dingtalk_webhook, feishu_webhook, is_unit_contact, is_unit_head)
            values (@Id, @Name, @Title, @UnitCode, @Email, @Mobile, @WecomWebhook, @DingtalkWebhook, @FeishuWebhook, @IsUnitContact, @IsUnitHead)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, person, cancellationToken: ct));
        var shown = PersonQueries.Masked(person);
        await journal.RecordAsync(connection, http, new AdminChange("person.created", "person", person.Id.ToString(), shown), ct);
        return TypedResults.Created($"/api/people/{person.Id}", shown);
    }

    public static async Task<Results<Ok<PersonDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, PersonRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, OutboundPolicy outbound, CancellationToken ct)
    {
        var v = new Validator();
        var person = Validate(v, id, request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        var stored = await PersonQueries.FindStoredAsync(connection, id, ct);
        if (stored is null) return Problems.NotFound("人员");
        person = KeepStoredSecrets(person, stored);
        if (RobotRefusal(outbound, person, stored) is { } refused) return refused;
        if (await UnitQueries.FindAsync(connection, person.UnitCode, ct) is null)
            return Problems.Unprocessable($"单位 {person.UnitCode} 不存在 / unit does not exist", "unitCode");
        const string sql = """
            update people set name = @Name, title = @Title, unit_code = @UnitCode, email = @Email, mobile = @Mobile,
                wecom_webhook = @WecomWebhook, dingtalk_webhook = @DingtalkWebhook, feishu_webhook = @FeishuWebhook,
                is_unit_contact = @IsUnitContact, is_unit_head = @IsUnitHead, updated_at = now()
            where id = @Id
            """;
        if (await connection.ExecuteAsync(new CommandDefinition(sql, person, cancellationToken: ct)) == 0) return Problems.NotFound("人员");
        var shown = PersonQueries.Masked(person);
        await journal.RecordAsync(connection, http, new AdminChange("person.updated", "person", id.ToString(), shown), ct);
        return TypedResults.Ok(shown);
    }

    /// <summary>A masked value sent back (the form or client echoing what it read) means "unchanged"; any other masked value is refused by <see cref="RobotRefusal"/>.</summary>
    private static PersonDto KeepStoredSecrets(PersonDto p, PersonDto? stored) => p with
    {
        WecomWebhook = SecretUrl.Keep(p.WecomWebhook, stored?.WecomWebhook),
        DingtalkWebhook = SecretUrl.Keep(p.DingtalkWebhook, stored?.DingtalkWebhook),
        FeishuWebhook = SecretUrl.Keep(p.FeishuWebhook, stored?.FeishuWebhook),
    };

    /// <summary>422 when a new robot URL goes elsewhere than its vendor (an unchanged stored URL is not re-judged).</summary>
    private static ProblemHttpResult? RobotRefusal(OutboundPolicy outbound, PersonDto p, PersonDto? stored = null)
    {
        foreach (var (field, channel, url, before) in new[]
                 {
                     ("wecomWebhook", "wecom", p.WecomWebhook, stored?.WecomWebhook), ("dingtalkWebhook", "dingtalk", p.DingtalkWebhook, stored?.DingtalkWebhook),
                     ("feishuWebhook", "feishu", p.FeishuWebhook, stored?.FeishuWebhook),
                 })
        {
            if (url is null || url == before) continue;
            if (SecretUrl.IsMasked(url)) return Problems.Unprocessable("地址中含有遮盖的密钥（****），请填写完整地址 / the URL contains a masked secret; give the full URL", field);
            if (outbound.CheckRobot(channel, url) is { } why) return Problems.Unprocessable(why, field);
        }
        return null;
    }

    private static PersonDto Validate(Validator v, Guid id, PersonRequest r) => new(
        id,
        v.Required("name", r.Name, 100),
        v.Optional("title", r.Title, 100),
        v.Code("unitCode", r.UnitCode),
        v.Email("email", r.Email),
        v.Mobile("mobile", r.Mobile),
        v.HttpsUrl("wecomWebhook", r.WecomWebhook),
        v.HttpsUrl("dingtalkWebhook", r.DingtalkWebhook),
        v.HttpsUrl("feishuWebhook", r.FeishuWebhook),
        r.IsUnitContact ?? false,
        r.IsUnitHead ?? false);
}
