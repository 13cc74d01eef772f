using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Campaigns;

/// <summary>
/// The writes of campaigns that the API (<c>POST /api/campaigns</c>, <c>PUT /api/campaigns/{id}</c>,
/// <c>POST /api/campaigns/{id}/launch</c>) and the campaign screens share (issue 18: pages call commands, not endpoint
/// handlers): validation, the references, the SQL and the launch, refused with the same problem details.
/// </summary>
public static class CampaignCommands
{
    /// <summary>A new draft campaign; 400 on a bad field, 403 for another office's name, 422 for an unknown unit or
    /// workflow.</summary>
    public static async Task<Outcome<CampaignDto>> CreateAsync(
        NpgsqlDataSource db, TimeProvider clock, CampaignRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var c = CampaignValidation.Validate(v, request, clock.GetUtcNow());
        if (!v.IsValid) return Refusal.Invalid(v.Errors);
        if (!Access.CanManageCampaign(actor, c.IssuedByUnit))
            return Refusal.Forbidden("领导小组办公室只能以本单位名义发起整改工作 / a leading-group office issues campaigns in its own name");

        await using var connection = await db.OpenConnectionAsync(ct);
        if (await CheckReferencesAsync(connection, c, ct) is { } refusal) return refusal;
        var version = await ResolveWorkflowVersionAsync(connection, c.WorkflowId, c.WorkflowVersion, ct);
        if (version is null)
        {
            var named = c.WorkflowVersion is { } n ? $" v{n}" : "";
            return Refusal.Unprocessable($"流程定义 {c.WorkflowId}{named} 不存在 / workflow definition not found", "workflow.id");
        }

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        const string sql = """
            insert into campaigns(id, title, document_number, issued_by_unit, supervision_unit, time_zone, workflow_id, workflow_version,
                                  notice_date, phases, created_at)
            values (@id, @Title, @DocumentNumber, @IssuedByUnit, @SupervisionUnit, @TimeZone, @WorkflowId, @version, @NoticeDate,
                    @phases::jsonb, @now)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, c.Title, c.DocumentNumber, c.IssuedByUnit, c.SupervisionUnit, c.TimeZone, c.WorkflowId, version,
            c.NoticeDate, phases = JsonSerializer.Serialize(c.Phases, CampaignRow.PhaseJson), now = clock.GetUtcNow(),
        }, cancellationToken: ct));
        return (await CampaignQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct))!;
    }

    /// <summary>A draft campaign changed; 404 when not visible, 403 for another office, 422 once launched or closed.</summary>
    public static async Task<Outcome<CampaignDto>> UpdateAsync(
        NpgsqlDataSource db, TimeProvider clock, Guid id, CampaignRequest request, CurrentUser actor, CancellationToken ct)
    {
        var v = new Validator();
        var c = CampaignValidation.Validate(v, request, clock.GetUtcNow());
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        await using var connection = await db.OpenConnectionAsync(ct);
        var existing = await CampaignQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct);
        if (existing is null) return Refusal.NotFound("整改工作");
        if (!Access.CanManageCampaign(actor, existing.IssuedByUnit) || !Access.CanManageCampaign(actor, c.IssuedByUnit))
            return Refusal.Forbidden("只有发起单位可以修改整改工作 / only the issuing office may change a campaign");
        if (existing.State == CampaignStates.Closed)
            return Refusal.Unprocessable("整改工作已结束归档，不能再修改 / the campaign is closed and read-only");
        if (existing.State != CampaignStates.Draft)
            return Refusal.Unprocessable("整改工作已启动，不能再修改基本信息 / a launched campaign cannot be edited");
        if (await CheckReferencesAsync(connection, c, ct) is { } refusal) return refusal;
        // The campaign keeps the version it was created with (docs/adr/0500-definition-governance.md) unless the request
        // names a version or another workflow.
        var pinned = c.WorkflowVersion ?? (c.WorkflowId == existing.Workflow.Id ? existing.Workflow.Version : null);
        var version = await ResolveWorkflowVersionAsync(connection, c.WorkflowId, pinned, ct);
        if (version is null) return Refusal.Unprocessable($"流程定义 {c.WorkflowId} 不存在 / workflow definition not found", "workflow.id");

        const string sql = """
            update campaigns set title = @Title, document_number = @DocumentNumber, issued_by_unit = @IssuedByUnit,
                supervision_unit = @SupervisionUnit, time_zone = @TimeZone, workflow_id = @WorkflowId, workflow_version = @version,
                notice_date = @NoticeDate, phases = @phases::jsonb, version = version + 1
            where id = @id and state = 'draft'
            """;
        var updated = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, c.Title, c.DocumentNumber, c.IssuedByUnit, c.SupervisionUnit, c.TimeZone, c.WorkflowId, version,
            c.NoticeDate, phases = JsonSerializer.Serialize(c.Phases, CampaignRow.PhaseJson),
        }, cancellationToken: ct));
        if (updated == 0) return Refusal.Unprocessable("整改工作已启动，不能再修改基本信息 / a launched campaign cannot be edited");
        return (await CampaignQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct))!;
    }

    /// <summary>Launches a draft campaign (one transaction, see the runtime in Rectify.Workflows): items are assigned,
    /// timers scheduled, units notified; 404 when not visible, 403 for another office, 422 when the launch is refused.</summary>
    public static async Task<Outcome<CampaignDto>> LaunchAsync(
        NpgsqlDataSource db, CampaignLauncher launcher, TimeProvider clock, Guid id, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct);
        if (campaign is null) return Refusal.NotFound("整改工作");
        if (!Access.CanManageCampaign(actor, campaign.IssuedByUnit))
            return Refusal.Forbidden("只有发起单位可以启动整改工作 / only the issuing office may launch");
        var outcome = await launcher.LaunchAsync(id, ItemAllowedEvents.Actor(actor), clock.GetUtcNow(), notify: true, ct);
        if (outcome is LaunchRefused refused)
            return refused.Status == 404 ? Refusal.NotFound("整改工作") : Refusal.Unprocessable(refused.Message);
        return (await CampaignQueries.FindVisibleAsync(connection, id, actor, clock.GetUtcNow(), ct))!;
    }

    private static async Task<int?> ResolveWorkflowVersionAsync(
        NpgsqlConnection connection, string workflowId, int? version, CancellationToken ct)
    {
        const string sql =
            "select max(version) from workflow_definitions where id = @workflowId and (@version::int is null or version = @version)";
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(sql, new { workflowId, version }, cancellationToken: ct));
    }

    private static async Task<Refusal?> CheckReferencesAsync(NpgsqlConnection connection, ValidCampaign c, CancellationToken ct)
    {
        var issuer = await UnitQueries.FindAsync(connection, c.IssuedByUnit, ct);
        if (issuer is null) return Refusal.Unprocessable($"单位 {c.IssuedByUnit} 不存在 / unit does not exist", "issuedByUnit");
        if (c.SupervisionUnit is not null && await UnitQueries.FindAsync(connection, c.SupervisionUnit, ct) is null)
            return Refusal.Unprocessable($"单位 {c.SupervisionUnit} 不存在 / unit does not exist", "supervisionUnit");
        return null;
    }
}
