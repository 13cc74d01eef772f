using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Documents;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.CalendarFeeds;

/// <summary>Whose view a feed is built with: the <see cref="Access"/> role and unit, or everything (admin).</summary>
public sealed record FeedScope(string Role, string? Unit);

/// <summary>The deadlines a feed shows: open, assigned items with a date, and (when the runtime has them) a unit's deliverables.</summary>
public static class FeedQueries
{
    private sealed record ItemDeadline(
        Guid Id, string? Number, string Title, string? Measures, string CampaignTitle, string LeadUnitName, string? UnitNames,
        DateOnly? Deadline, DateOnly EffectiveDeadline, string State, int Version, DateTimeOffset UpdatedAt);

    private const string ItemSql = $"""
        select i.id, i.number, i.title, i.measures, c.title as CampaignTitle, coalesce(lu.name, i.lead_unit) as LeadUnitName,
               (select string_agg(coalesce(u.name, x.code), '、' order by x.n)
                from unnest(i.units) with ordinality as x(code, n) left join units u on u.code = x.code) as UnitNames,
               i.deadline, i.effective_deadline as EffectiveDeadline, i.state, i.version, i.updated_at as UpdatedAt
        from items i
        join campaigns c on c.id = i.campaign_id
        left join units lu on lu.code = i.lead_unit
        where {Access.ItemVisible}
          and i.state not in ('draft', 'closed', 'withdrawn') and i.effective_deadline is not null
          and (@unitCode::text is null or i.lead_unit = @unitCode or @unitCode = any(i.units))
          and (@leaderId::uuid is null or i.responsible_leader_id = @leaderId)
        order by i.effective_deadline, c.id, i.seq
        """;

    public static async Task<List<IcsEvent>> ItemEventsAsync(
        NpgsqlConnection connection, FeedScope scope, string? unitCode, Guid? leaderId, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<ItemDeadline>(new CommandDefinition(ItemSql,
            new { role = scope.Role, unit = scope.Unit, unitCode, leaderId }, cancellationToken: ct));
        return rows.Select(r =>
        {
            var lines = new List<string> { $"整改工作：{r.CampaignTitle}", $"牵头单位：{r.LeadUnitName}" };
            if (!string.IsNullOrEmpty(r.UnitNames)) lines.Add($"责任单位：{r.UnitNames}");
            lines.Add($"状态：{Labels.State(r.State)}");
            if (r.Deadline is { } original && original != r.EffectiveDeadline)
                lines.Add($"原整改时限：{Labels.IsoDate(original)}，已延期至 {Labels.IsoDate(r.EffectiveDeadline)}");
            if (!string.IsNullOrWhiteSpace(r.Measures)) lines.Add($"整改措施：{r.Measures}");
            var number = string.IsNullOrEmpty(r.Number) ? "" : r.Number + ". ";
            // SEQUENCE follows the row version, which every change (an approved extension included) increments.
            return new IcsEvent($"item-{r.Id}@rectify", r.EffectiveDeadline, $"【整改时限】{number}{r.Title}", string.Join("\n", lines),
                Math.Max(0, r.Version - 1), r.UpdatedAt, "整改时限");
        }).ToList();
    }

    private sealed record DeliverableDue(Guid Id, string Kind, string CampaignTitle, DateOnly DueDate, string State, int Version, DateTimeOffset UpdatedAt);

    /// <summary>
    /// A unit's open deliverables (its plan, its report) from the runtime's <c>deliverables</c> table (migration 0100:
    /// id, campaign_id, kind, unit_code, due_date, state, version, updated_at); none before that table exists.
    /// </summary>
    public static async Task<List<IcsEvent>> DeliverableEventsAsync(NpgsqlConnection connection, FeedScope scope, string unitCode, CancellationToken ct)
    {
        const string probe = """
            select count(*) = 8 from information_schema.columns where table_schema = current_schema() and table_name = 'deliverables'
              and column_name in ('id', 'campaign_id', 'kind', 'unit_code', 'due_date', 'state', 'version', 'updated_at')
            """;
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(probe, cancellationToken: ct))) return [];
        const string sql = """
            select d.id, d.kind, c.title as CampaignTitle, d.due_date as DueDate, d.state, d.version, d.updated_at as UpdatedAt
            from deliverables d join campaigns c on c.id = d.campaign_id
            where d.unit_code = @unitCode and d.state in ('pending', 'returned')
              and (@role in ('admin', 'unit') or (@role = 'leadingGroup' and c.issued_by_unit = @unit) or (@role = 'supervisor' and c.supervision_unit = @unit))
            order by d.due_date, d.id
            """;
        var rows = await connection.QueryAsync<DeliverableDue>(new CommandDefinition(sql,
            new { unitCode, role = scope.Role, unit = scope.Unit }, cancellationToken: ct));
        return rows.Select(r =>
        {
            // The deliverable keys of workflows/rectification-campaign.json; other definitions show their key.
            var what = r.Kind switch { "unitPlan" or "plan" => "单位整改方案", "unitReport" or "report" => "单位整改情况报告", _ => r.Kind };
            return new IcsEvent($"deliverable-{r.Id}@rectify", r.DueDate, $"【应报材料】{what}", $"整改工作：{r.CampaignTitle}\n状态：{Labels.State(r.State)}",
                Math.Max(0, r.Version - 1), r.UpdatedAt, "应报材料");
        }).ToList();
    }

    /// <summary>
    /// Whether <paramref name="user"/> may see and manage the subscription URL of a unit's or a person's feed: the unit
    /// itself, the person themselves, or an administrator.
    /// </summary>
    internal static bool MayManage(CurrentUser user, string kind, string subjectId) =>
        user.IsAdmin || (kind == FeedTokens.Unit ? user.UnitCode == subjectId : user.PersonId?.ToString() == subjectId);

    internal static async Task<bool> SubjectExistsAsync(NpgsqlConnection connection, string kind, string subjectId, CancellationToken ct) =>
        kind == FeedTokens.Unit
            ? await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists(select 1 from units where code = @subjectId)", new { subjectId }, cancellationToken: ct))
            : Guid.TryParse(subjectId, out var id) && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists(select 1 from people where id = @id)", new { id }, cancellationToken: ct));

    /// <summary>
    /// Whether a unit's or a person's feed has a subscription URL, and since when (the URL itself is shown once, when
    /// created: only its hash is kept); null when <paramref name="user"/> may not manage it or there is no such subject.
    /// </summary>
    public static async Task<FeedSubscription?> SubscriptionAsync(
        NpgsqlConnection connection, CurrentUser user, string kind, string subjectId, CancellationToken ct)
    {
        if (!MayManage(user, kind, subjectId) || !await SubjectExistsAsync(connection, kind, subjectId, ct)) return null;
        var created = await FeedTokens.CreatedAtAsync(connection, kind, subjectId, ct);
        return new FeedSubscription(created is not null, created, null);
    }
}
