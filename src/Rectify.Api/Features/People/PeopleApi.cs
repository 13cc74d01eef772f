using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.People;

public sealed record PersonRequest(
    string? Name, string? Title, string? UnitCode, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, bool? IsUnitContact);

public sealed record PersonDto(
    Guid Id, string Name, string? Title, string UnitCode, string? Email, string? Mobile,
    string? WecomWebhook, string? DingtalkWebhook, string? FeishuWebhook, bool IsUnitContact);

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

    internal const string Columns = """
        id, name, title, unit_code as UnitCode, email, mobile, wecom_webhook as WecomWebhook,
        dingtalk_webhook as DingtalkWebhook, feishu_webhook as FeishuWebhook, is_unit_contact as IsUnitContact
        """;

    public static async Task<Ok<Page<PersonDto>>> List(NpgsqlDataSource db, string? unit, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        var paging = Paging.From(page, pageSize);
        const string where = """
            where (@unit::text is null or unit_code = @unit)
              and (@q::text is null or name ilike @qLike or email ilike @qLike)
            """;
        const string sql = $"""
            select count(*) from people {where};
            select {Columns} from people {where} order by unit_code, name, id limit @limit offset @offset;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { unit, q, qLike = SqlLike.Contains(q), limit = paging.PageSize, offset = paging.Offset }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        return TypedResults.Ok(new Page<PersonDto>((await grid.ReadAsync<PersonDto>()).ToList(), total));
    }

    public static async Task<Results<Ok<PersonDto>, ProblemHttpResult>> Get(Guid id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var person = await FindAsync(connection, id, ct);
        return person is null ? Problems.NotFound("人员") : TypedResults.Ok(person);
    }

    public static async Task<Results<Created<PersonDto>, ValidationProblem, ProblemHttpResult>> Create(
        PersonRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validator();
        var person = Validate(v, Guid.CreateVersion7(clock.GetUtcNow()), request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UnitsApi.FindAsync(connection, person.UnitCode, ct) is null)
            return Problems.Unprocessable($"单位 {person.UnitCode} 不存在 / unit does not exist", "unitCode");
        const string sql = """
            insert into people(id, name, title, unit_code, email, mobile, wecom_webhook, dingtalk_webhook, feishu_webhook, is_unit_contact)
            values (@Id, @Name, @Title, @UnitCode, @Email, @Mobile, @WecomWebhook, @DingtalkWebhook, @FeishuWebhook, @IsUnitContact)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, person, cancellationToken: ct));
        await journal.RecordAsync(connection, http, "person.created", "person", person.Id.ToString(), person, ct);
        return TypedResults.Created($"/api/people/{person.Id}", person);
    }

    public static async Task<Results<Ok<PersonDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, PersonRequest request, NpgsqlDataSource db, AdminJournal journal, HttpContext http, CancellationToken ct)
    {
        var v = new Validator();
        var person = Validate(v, id, request);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UnitsApi.FindAsync(connection, person.UnitCode, ct) is null)
            return Problems.Unprocessable($"单位 {person.UnitCode} 不存在 / unit does not exist", "unitCode");
        const string sql = """
            update people set name = @Name, title = @Title, unit_code = @UnitCode, email = @Email, mobile = @Mobile,
                wecom_webhook = @WecomWebhook, dingtalk_webhook = @DingtalkWebhook, feishu_webhook = @FeishuWebhook,
                is_unit_contact = @IsUnitContact, updated_at = now()
            where id = @Id
            """;
        if (await connection.ExecuteAsync(new CommandDefinition(sql, person, cancellationToken: ct)) == 0) return Problems.NotFound("人员");
        await journal.RecordAsync(connection, http, "person.updated", "person", id.ToString(), person, ct);
        return TypedResults.Ok(person);
    }

    internal static async Task<PersonDto?> FindAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<PersonDto>(new CommandDefinition($"select {Columns} from people where id = @id", new { id }, cancellationToken: ct));

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
        r.IsUnitContact ?? false);
}
