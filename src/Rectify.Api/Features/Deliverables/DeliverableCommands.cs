using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Deliverables;

/// <summary>An event sent to one deliverable (<c>POST /api/deliverables/{id}/events</c>, the deliverable screens).</summary>
public sealed record DeliverableEvent(Guid DeliverableId, EventBody Body);

/// <summary>
/// The writes of deliverables that the API (<c>POST /api/deliverables/{id}/events</c>, <c>…/attachments</c>) and the
/// deliverable screens share (issue 18: pages call commands, not endpoint handlers): submit, accept and return through
/// the runtime, and the upload of the files submitted, refused with the same problem details.
/// </summary>
public static class DeliverableCommands
{
    /// <summary>The deliverable as it is after the event; 400 on a bad body, 404 when not visible, 409 when it changed
    /// since the version sent, 422 when the state machine refuses.</summary>
    public static async Task<Outcome<DeliverableDto>> SendEventAsync(
        NpgsqlDataSource db, TimeProvider clock, DeliverableService service, DefinitionStore definitions, DeliverableEvent sent,
        CurrentUser actor, CancellationToken ct)
    {
        var (id, body) = sent;
        var v = new Validator();
        var type = v.OneOf("type", body.Type, DeliverableEvents.All);
        var note = v.OptionalMultiline("note", body.Note, 5000);
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await DeliverableQueries.FindSubjectAsync(connection, id, actor, ct) is null) return Refusal.NotFound("材料");
        var request = new EventRequest(type!, note, null, body.AttachmentIds ?? [], body.ExpectedVersion);
        var outcome = await service.ApplyAsync(id, ItemAllowedEvents.Actor(actor), request, clock.GetUtcNow(), ct);
        return outcome switch
        {
            EventApplied when await DeliverableQueries.FindSubjectAsync(connection, id, actor, ct) is { } after =>
                DeliverableQueries.ToDto(
                    after, actor, clock.GetUtcNow(), await DeliverableQueries.NameAsync(connection, definitions, after, ct)),
            EventConflict c => Refusal.Conflict($"材料已被他人修改（当前版本 {c.CurrentVersion}），请刷新后重试 / version mismatch"),
            EventRefused r => Refusal.Unprocessable(r.Message, r.Field),
            _ => Refusal.NotFound("材料"),
        };
    }

    /// <summary>Files for a deliverable, uploaded by its unit (or the administrator); 404 when not visible, 403 for anyone
    /// else, 400 for a bad file, 422 when the campaign is closed.</summary>
    public static async Task<Outcome<AttachmentDto[]>> UploadAsync(
        NpgsqlDataSource db, TimeProvider clock, Guid id, UploadedFiles files, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await DeliverableQueries.FindSubjectAsync(connection, id, actor, ct);
        if (row is null) return Refusal.NotFound("材料");
        if (!actor.IsAdmin && actor.UnitCode != row.UnitCode) return Refusal.Forbidden("只有报送单位可以上传 / only the owning unit may upload");
        return await AttachmentCommands.StoreAsync(connection, files, new EvidenceOwner(null, id), actor, clock.GetUtcNow(), ct);
    }
}
