using System.Text.Json;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

internal sealed record CampaignRow(
    Guid Id, string Title, string? DocumentNumber, string IssuedByUnit, string? SupervisionUnit, string TimeZone,
    string WorkflowId, int WorkflowVersion, DateOnly? NoticeDate, string Phases, string State,
    DateTime CreatedAt, DateTime? LaunchedAt, int Version, DateTime? ClosedAt, string? ClosedBy, string? CloseNote)
{
    public const string Columns = """
        c.id, c.title, c.document_number as DocumentNumber, c.issued_by_unit as IssuedByUnit, c.supervision_unit as SupervisionUnit,
        c.time_zone as TimeZone, c.workflow_id as WorkflowId, c.workflow_version as WorkflowVersion, c.notice_date as NoticeDate,
        c.phases::text as Phases, c.state, c.created_at as CreatedAt, c.launched_at as LaunchedAt, c.version,
        c.closed_at as ClosedAt, c.closed_by as ClosedBy, c.close_note as CloseNote
        """;

    public static readonly JsonSerializerOptions PhaseJson = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<Phase> ParsedPhases => JsonSerializer.Deserialize<List<Phase>>(Phases, PhaseJson) ?? [];

    public CampaignDto ToDto(CampaignStats stats) => new(
        Id, Title, DocumentNumber, IssuedByUnit, SupervisionUnit, TimeZone, new WorkflowRef(WorkflowId, WorkflowVersion),
        NoticeDate, ParsedPhases, State, new DateTimeOffset(CreatedAt, TimeSpan.Zero),
        LaunchedAt is { } l ? new DateTimeOffset(l, TimeSpan.Zero) : null, Version, stats,
        ClosedAt is { } closed ? new DateTimeOffset(closed, TimeSpan.Zero) : null, ClosedBy, CloseNote);
}
