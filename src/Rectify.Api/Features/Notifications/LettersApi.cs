using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Content;
using Rectify.Notifications.Letters;

namespace Rectify.Api.Features.Notifications;

/// <summary>
/// GET /api/escalations/{id}/letter.docx: the supervision letter (督办函) of a supervisionLetter escalation, generated
/// on first request if the e-mail has not generated it yet. Visible to the supervision office, the leading-group office
/// of the campaign, the addressee unit (the item's lead unit, or the unit that owes the deliverable: issue 19, a unit
/// could not download the letter about its own deliverable) and the administrator.
/// </summary>
public static class LettersApi
{
    public const string DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static IEndpointRouteBuilder MapLettersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/escalations/{id:guid}/letter.docx", Download).WithTags("Notifications").RequireAuthorization();
        return app;
    }

    private sealed record Escalation(Guid Id, string Level);

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(
        Guid id, HttpContext http, NpgsqlDataSource db, SupervisionLetters letters, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        const string sql = """
            select e.id, e.level
            from escalations e
            join campaigns c on c.id = e.campaign_id
            left join items i on i.id = e.item_id
            left join deliverables d on d.id = e.deliverable_id
            where e.id = @id
              and (@role = 'admin'
                   or (@role = 'supervisor' and coalesce(e.office_unit, c.supervision_unit) = @unit)
                   or (@role = 'leadingGroup' and c.issued_by_unit = @unit)
                   or (@role = 'unit' and (i.lead_unit = @unit or d.unit_code = @unit)))
            """;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var escalation = await connection.QuerySingleOrDefaultAsync<Escalation>(new CommandDefinition(sql,
                new { id, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
            if (escalation is null) return Problems.NotFound("督办记录");
            if (escalation.Level != "supervisionLetter")
                return Problems.Unprocessable("只有“督办函”级别的督办记录有督办函 / only a supervisionLetter escalation has a letter", "level");
        }
        var letter = await letters.EnsureAsync(id, null, null, clock.GetUtcNow(), withDocument: true, ct);
        if (letter?.Content is not { } content) return Problems.NotFound("督办函");
        return TypedResults.File(content, DocxType, letter.FileName);
    }
}
