using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Deliverables;

/// <summary>A filter of the deliverable list (<c>GET /api/deliverables</c>): by campaign, unit and state.</summary>
public sealed record DeliverableFilter(Guid? CampaignId = null, string? Unit = null, string? State = null);

/// <summary>
/// The reads of deliverables that the API's handlers and the pages share (issue 18: pages call queries, not endpoint
/// handlers). A deliverable is visible to its unit, to the offices of its campaign and to the administrator.
/// </summary>
public static class DeliverableQueries
{
    private const string Visible = """
        (@role = 'admin'
         or (@role = 'leadingGroup' and (c.issued_by_unit = @unit or d.unit_code = @unit))
         or (@role = 'supervisor' and (c.supervision_unit = @unit or d.unit_code = @unit))
         or (@role = 'unit' and d.unit_code = @unit))
        """;

    /// <summary>A page of the deliverables <paramref name="user"/> may see, by due date, with the events it may send.</summary>
    public static async Task<Page<DeliverableDto>> ListAsync(
        NpgsqlConnection connection, CurrentUser user, DeliverableFilter filter, Paging paging, DateTimeOffset now,
        DefinitionStore definitions, CancellationToken ct)
    {
        const string where = $"""
            where {Visible} and (@campaignId::uuid is null or d.campaign_id = @campaignId)
              and (@unitFilter::text is null or d.unit_code = @unitFilter) and (@state::text is null or d.state = @state)
            """;
        const string sql = $"""
            select count(*) from deliverables d join campaigns c on c.id = d.campaign_id {where};
            {DeliverableSubject.Select} {where} order by d.due_date, d.kind, d.unit_code limit @limit offset @offset;
            """;
        long total;
        List<DeliverableSubject> rows;
        await using (var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new
        {
            role = user.Role, unit = user.UnitCode, campaignId = filter.CampaignId, unitFilter = filter.Unit, state = filter.State,
            limit = paging.PageSize, offset = paging.Offset,
        }, cancellationToken: ct)))
        {
            total = await grid.ReadSingleAsync<long>();
            rows = (await grid.ReadAsync<DeliverableSubject>()).ToList();
        }
        var dtos = new List<DeliverableDto>(rows.Count);
        foreach (var r in rows) dtos.Add(ToDto(r, user, now, await NameAsync(connection, definitions, r, ct)));
        return new Page<DeliverableDto>(dtos, total);
    }

    /// <summary>One deliverable <paramref name="user"/> may see, with its files and its history, or null.</summary>
    public static async Task<DeliverableDto?> FindVisibleAsync(
        NpgsqlConnection connection, Guid id, CurrentUser user, DateTimeOffset now, DefinitionStore definitions, CancellationToken ct)
    {
        var row = await FindSubjectAsync(connection, id, user, ct);
        if (row is null) return null;
        return await WithFilesAsync(connection, ToDto(row, user, now, await NameAsync(connection, definitions, row, ct)), row, ct);
    }

    /// <summary>The row of one deliverable <paramref name="user"/> may see, or null.</summary>
    internal static async Task<DeliverableSubject?> FindSubjectAsync(
        NpgsqlConnection connection, Guid id, CurrentUser user, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<DeliverableSubject>(new CommandDefinition(
            $"{DeliverableSubject.Select} where d.id = @id and {Visible}", new { id, role = user.Role, unit = user.UnitCode },
            cancellationToken: ct));

    /// <summary>The deliverable's name as its campaign's definition version calls it (单位整改方案 …).</summary>
    internal static async Task<string> NameAsync(
        NpgsqlConnection connection, DefinitionStore definitions, DeliverableSubject d, CancellationToken ct) =>
        (await definitions.GetAsync(connection, d.WorkflowId, d.WorkflowVersion, ct))?.Definition.DeliverableList
            .FirstOrDefault(x => x.Key == d.Kind)?.Name ?? d.Kind;

    internal static DeliverableDto ToDto(DeliverableSubject d, CurrentUser user, DateTimeOffset now, string? name = null)
    {
        var today = LocalTime.Date(now, d.Zone);
        var overdue = d.IsOpen && today > d.DueDate ? today.DayNumber - d.DueDate.DayNumber : 0;
        return new DeliverableDto(d.Id, d.CampaignId, d.Kind, d.UnitCode, d.DueDate, d.State, d.EscalationLevel, d.Version, overdue,
            DeliverableService.AllowedEvents(ItemAllowedEvents.Actor(user), d), name ?? d.Kind, d.CampaignTitle);
    }

    /// <summary>The files and the history of one deliverable (issue 13: what was submitted can be opened by the reviewer).</summary>
    private static async Task<DeliverableDto> WithFilesAsync(
        NpgsqlConnection connection, DeliverableDto dto, DeliverableSubject d, CancellationToken ct)
    {
        const string sql = """
            select id, file_name as FileName, size, sha256, content_type as ContentType, uploaded_at as UploadedAt,
                   uploaded_by as UploadedBy
            from attachments where deliverable_id = @id order by uploaded_at, id;
            select at, actor, type, from_state as FromState, to_state as ToState, note,
                   coalesce(data->'attachmentIds', '[]'::jsonb)::text as Files
            from journal where deliverable_id = @id order by id;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { d.Id }, cancellationToken: ct));
        var zone = d.Zone;
        var files = (await grid.ReadAsync<FileRow>())
            .Select(f => new AttachmentDto(
                f.Id, SafeText.Strip(f.FileName), f.Size, f.Sha256, f.ContentType, LocalTime.InZone(f.UploadedAt, zone), f.UploadedBy))
            .ToList();
        var history = (await grid.ReadAsync<StepRow>())
            .Select(h => new DeliverableStep(LocalTime.InZone(h.At, zone), h.Actor, h.Type, h.FromState, h.ToState, h.Note,
                System.Text.Json.JsonSerializer.Deserialize<List<Guid>>(h.Files) ?? []))
            .ToList();
        return dto with { Files = files, History = history };
    }

    private sealed record FileRow(
        Guid Id, string FileName, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string UploadedBy);

    private sealed record StepRow(
        DateTimeOffset At, string Actor, string Type, string? FromState, string? ToState, string? Note, string Files);
}
