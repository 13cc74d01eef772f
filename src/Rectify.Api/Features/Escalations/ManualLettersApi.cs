using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Escalations;

/// <param name="ReplyBy">The date the units must answer by (回复期限), YYYY-MM-DD.</param>
/// <param name="Unit">One unit's part only; without it every unit whose part is not completed.</param>
public sealed record LetterBody(string? ReplyBy, string? Note, string? Unit);

public sealed record LetterIssuedDto(Guid EscalationId, IReadOnlyList<string> Units, string LetterUrl);

/// <summary>POST /api/items/{id}/letters: the supervision office issues a supervision letter (督办函) by hand, with a reply date (issue 13).</summary>
public static class ManualLettersApi
{
    public static IEndpointRouteBuilder MapManualLettersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/items/{id:guid}/letters", Issue).WithTags("Escalations").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Created<LetterIssuedDto>, ValidationProblem, ProblemHttpResult>> Issue(
        Guid id, LetterBody body, HttpContext http, NpgsqlDataSource db, ManualLetters letters, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        DateOnly replyBy = default;
        if (string.IsNullOrWhiteSpace(body.ReplyBy)) v.Add("replyBy", "请填写回复期限 / replyBy is required");
        else if (!Validator.TryParseDate(body.ReplyBy, out replyBy)) v.Add("replyBy", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        else ItemValidation.DateInAbsoluteRange(v, "replyBy", replyBy);
        var note = v.OptionalMultiline("note", body.Note, 5000);
        var unit = v.Optional("unit", body.Unit, 64);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            if (await ItemQueries.FindRowAsync(connection, id, user, ct) is null) return Problems.NotFound("问题");
        }
        var outcome = await letters.IssueAsync(id, ItemAllowedEvents.Actor(user), replyBy, note, unit, clock.GetUtcNow(), ct);
        return outcome switch
        {
            LetterIssued issued => TypedResults.Created($"/api/escalations/{issued.EscalationId}/letter.docx",
                new LetterIssuedDto(issued.EscalationId, issued.Units, $"/api/escalations/{issued.EscalationId}/letter.docx")),
            LetterRefused { Status: 403 } r => Problems.Forbidden(r.Message),
            LetterRefused { Status: 404 } => Problems.NotFound("问题"),
            LetterRefused r => Problems.Unprocessable(r.Message, r.Field),
            _ => Problems.NotFound("问题"),
        };
    }
}
