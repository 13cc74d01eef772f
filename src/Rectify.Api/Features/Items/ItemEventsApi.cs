using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Items;

/// <param name="Unit">acknowledge, progress, complete: the unit an office acts for (a unit user acts for its own).</param>
/// <param name="Units">returnClosure: the units whose part is sent back with the lead unit's.</param>
public sealed record EventBody(
    string? Type, string? Note, string? NewDeadline, IReadOnlyList<Guid>? AttachmentIds, int? ExpectedVersion, string? Unit = null,
    IReadOnlyList<string>? Units = null);

/// <summary>Send an event to an item (one transaction, see the runtime in Rectify.Workflows).</summary>
public static class ItemEventsApi
{
    private static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "acknowledge", "progress", "complete", "requestClosure", "approveClosure", "returnClosure", "requestExtension", "approveExtension", "rejectExtension", "reopen", "withdraw", "urge",
    };

    public static IEndpointRouteBuilder MapItemEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/items/{id:guid}/events", SendEvent).WithTags("Items").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<ItemDto>, ValidationProblem, ProblemHttpResult>> SendEvent(
        Guid id, EventBody body, [AsParameters] ApiRequest api, ItemEventService events, DefinitionStore definitions, CancellationToken ct)
    {
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
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
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        if (await ItemQueries.FindRowAsync(connection, id, user, ct) is not { } row) return Problems.NotFound("问题");
        if (await ItemValidation.CheckReachAsync(connection, row.CampaignId, newDeadline, "newDeadline", ct) is { } beyond) return beyond;
        var request = new EventRequest(type!, note, newDeadline, body.AttachmentIds ?? [], body.ExpectedVersion, unit, body.Units);
        var outcome = await events.ApplyAsync(id, ItemAllowedEvents.Actor(user), request, clock.GetUtcNow(), notify: true, ct);
        return outcome switch
        {
            EventApplied => TypedResults.Ok(
                (await ItemQueries.FindVisibleAsync(connection, id, user, clock.GetUtcNow(), ct, definitions))!),
            EventConflict c => TypedResults.Problem(statusCode: 409, title: "冲突 / Conflict",
                detail: $"问题已被他人修改（当前版本 {c.CurrentVersion}，您提交的是 {body.ExpectedVersion}），请刷新后重试。/ version mismatch",
                extensions: new Dictionary<string, object?> { ["currentVersion"] = c.CurrentVersion }),
            EventRefused r => Problems.Unprocessable(r.Message, r.Field),
            EventForbidden f => Problems.Forbidden(f.Message),
            _ => Problems.NotFound("问题"),
        };
    }
}
