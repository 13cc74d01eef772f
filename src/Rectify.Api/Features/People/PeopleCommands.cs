using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Channels;

namespace Rectify.Api.Features.People;

/// <summary>
/// The writes of the people directory that the API (<c>POST /api/people</c>, <c>PUT /api/people/{id}</c>) and the people
/// screen share (issue 18: pages call commands, not endpoint handlers): validation, the robot-URL policy, the SQL and the
/// journal row, with the actor named in it. Answers show robot URLs masked; a masked URL sent back keeps the stored one.
/// </summary>
public static class PeopleCommands
{
    /// <summary>A new person; 400 on a bad field, 422 when the unit does not exist or a robot URL is refused.</summary>
    public static async Task<Outcome<PersonDto>> CreateAsync(
        NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, OutboundPolicy outbound, PersonRequest request,
        CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var person = Validate(v, Guid.CreateVersion7(clock.GetUtcNow()), request);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        person = KeepStoredSecrets(person, null);
        if (RobotRefusal(outbound, person) is { } refused) return refused;
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UnitQueries.FindAsync(connection, person.UnitCode, ct) is null) return UnitMissing(person.UnitCode);
        const string sql = """
            insert into people(id, name, title, unit_code, email, mobile, wecom_webhook, dingtalk_webhook, feishu_webhook,
                is_unit_contact, is_unit_head)
            values (@Id, @Name, @Title, @UnitCode, @Email, @Mobile, @WecomWebhook, @DingtalkWebhook, @FeishuWebhook,
                @IsUnitContact, @IsUnitHead)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, person, cancellationToken: ct));
        var shown = PersonQueries.Masked(person);
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("person.created", "person", person.Id.ToString(), shown), ct);
        return shown;
    }

    /// <summary>A person's fields; 400 on a bad field, 404 when there is no such person, 422 when the unit does not exist
    /// or a new robot URL is refused.</summary>
    public static async Task<Outcome<PersonDto>> UpdateAsync(
        NpgsqlDataSource db, AdminJournal journal, OutboundPolicy outbound, Guid id, PersonRequest request, CurrentUser actor,
        CancellationToken ct)
    {
        var v = new Validator();
        var person = Validate(v, id, request);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        var stored = await PersonQueries.FindStoredAsync(connection, id, ct);
        if (stored is null) return Refusal.NotFound("人员");
        person = KeepStoredSecrets(person, stored);
        if (RobotRefusal(outbound, person, stored) is { } refused) return refused;
        if (await UnitQueries.FindAsync(connection, person.UnitCode, ct) is null) return UnitMissing(person.UnitCode);
        const string sql = """
            update people set name = @Name, title = @Title, unit_code = @UnitCode, email = @Email, mobile = @Mobile,
                wecom_webhook = @WecomWebhook, dingtalk_webhook = @DingtalkWebhook, feishu_webhook = @FeishuWebhook,
                is_unit_contact = @IsUnitContact, is_unit_head = @IsUnitHead, updated_at = now()
            where id = @Id
            """;
        if (await connection.ExecuteAsync(new CommandDefinition(sql, person, cancellationToken: ct)) == 0) return Refusal.NotFound("人员");
        var shown = PersonQueries.Masked(person);
        await journal.RecordAsync(connection, actor.UserName, new AdminChange("person.updated", "person", id.ToString(), shown), ct);
        return shown;
    }

    private static Refusal UnitMissing(string unitCode) =>
        Refusal.Unprocessable($"单位 {unitCode} 不存在 / unit does not exist", "unitCode");

    /// <summary>A masked value sent back (the form or client echoing what it read) means "unchanged"; any other masked
    /// value is refused by <see cref="RobotRefusal"/>.</summary>
    private static PersonDto KeepStoredSecrets(PersonDto p, PersonDto? stored) => p with
    {
        WecomWebhook = SecretUrl.Keep(p.WecomWebhook, stored?.WecomWebhook),
        DingtalkWebhook = SecretUrl.Keep(p.DingtalkWebhook, stored?.DingtalkWebhook),
        FeishuWebhook = SecretUrl.Keep(p.FeishuWebhook, stored?.FeishuWebhook),
    };

    /// <summary>422 when a new robot URL goes elsewhere than its vendor (an unchanged stored URL is not re-judged).</summary>
    private static Refusal? RobotRefusal(OutboundPolicy outbound, PersonDto p, PersonDto? stored = null)
    {
        foreach (var (field, channel, url, before) in new[]
                 {
                     ("wecomWebhook", "wecom", p.WecomWebhook, stored?.WecomWebhook),
                     ("dingtalkWebhook", "dingtalk", p.DingtalkWebhook, stored?.DingtalkWebhook),
                     ("feishuWebhook", "feishu", p.FeishuWebhook, stored?.FeishuWebhook),
                 })
        {
            if (url is null || url == before) continue;
            if (SecretUrl.IsMasked(url))
                return Refusal.Unprocessable("地址中含有遮盖的密钥（****），请填写完整地址 / the URL contains a masked secret; give the full URL", field);
            if (outbound.CheckRobot(channel, url) is { } why) return Refusal.Unprocessable(why, field);
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
