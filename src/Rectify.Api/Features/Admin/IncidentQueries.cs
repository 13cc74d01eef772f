using Dapper;
using Npgsql;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Admin;

/// <summary>
/// The reads of incidents that the API (<c>GET /api/admin/incidents</c>, <c>GET /api/admin/incidents/{id}</c>), the retry
/// and the incidents screen share (issue 18: pages call queries, not endpoint handlers). Administrators only: an error may
/// quote data of any office, so the callers stand behind the admin policy.
/// </summary>
public static class IncidentQueries
{
    private const string Select = """
        select n.id, n.source, n.subject_kind as SubjectKind, n.subject_id as SubjectId, n.campaign_id as CampaignId,
               c.title as CampaignTitle, i.number as ItemNumber, i.title as ItemTitle, n.timer_id as TimerId, n.outbox_id as OutboxId,
               n.job, n.step, n.error, n.first_seen as FirstSeen, n.last_seen as LastSeen, n.attempts, n.resolved_at as ResolvedAt,
               n.resolved_by as ResolvedBy, n.resolution,
               coalesce(t.quarantined, false) as TimerQuarantined
        from incidents n
        left join campaigns c on c.id = n.campaign_id
        left join items i on i.id = n.subject_id and n.subject_kind in ('item', 'outbox')
        left join timers t on t.id = n.timer_id
        """;

    private sealed record Row(
        long Id, string Source, string SubjectKind, Guid? SubjectId, Guid? CampaignId, string? CampaignTitle, string? ItemNumber,
        string? ItemTitle, long? TimerId, long? OutboxId, string? Job, string? Step, string Error, DateTimeOffset FirstSeen,
        DateTimeOffset LastSeen, int Attempts, DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution, bool TimerQuarantined)
    {
        public IncidentDto ToDto() => new(Id, Source, SubjectKind, SubjectId, CampaignId, CampaignTitle, ItemNumber, ItemTitle, TimerId,
            OutboxId, Job, Step, Error, FirstSeen, LastSeen, Attempts, ResolvedAt, ResolvedBy, Resolution, TimerQuarantined);
    }

    /// <summary>A page of the incidents, open ones first, then the latest seen; <paramref name="open"/> null for all.</summary>
    public static async Task<Page<IncidentDto>> ListAsync(NpgsqlConnection connection, bool? open, Paging paging, CancellationToken ct)
    {
        const string where = "where (@open::boolean is null or (n.resolved_at is null) = @open)";
        const string sql = $"""
            select count(*) from incidents n {where};
            {Select} {where} order by n.resolved_at is null desc, n.last_seen desc, n.id desc limit @limit offset @offset;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
            new { open, limit = paging.PageSize, offset = paging.Offset }, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = await grid.ReadAsync<Row>();
        return new Page<IncidentDto>(rows.Select(r => r.ToDto()).ToList(), total);
    }

    /// <summary>One incident; null when there is none.</summary>
    public static async Task<IncidentDto?> FindAsync(NpgsqlConnection connection, long id, CancellationToken ct) =>
        (await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition($"{Select} where n.id = @id", new { id }, cancellationToken: ct)))?.ToDto();
}
