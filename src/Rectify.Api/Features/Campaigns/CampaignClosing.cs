using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Documents;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

public sealed record CloseCampaignRequest(string? Note);

/// <summary>An item that keeps a campaign from closing: neither 已销号 nor 已撤销.</summary>
public sealed record OpenItem(Guid Id, string? Number, string Title, string State, string StateName);

/// <summary>The campaign as it was closed, and the final report kept with it.</summary>
public sealed record ClosedCampaign(CampaignDto Campaign, string FinalReportName);

public abstract record CloseOutcome;
public sealed record CloseDone(ClosedCampaign Closed) : CloseOutcome;
public sealed record CloseRefused(int Status, string Message, IReadOnlyList<OpenItem> OpenItems) : CloseOutcome;

/// <summary>
/// POST /api/campaigns/{id}/close (issue 13.6): once every item is closed (销号) or withdrawn (撤销), the issuing office
/// ends the campaign. In one transaction the campaign becomes <c>closed</c> (who, when, the note), its remaining timers
/// (phases, deliverables) end, the journal records it and the final report (整改情况报告) is built and kept, so the
/// archive ships what was signed off. From then on the campaign is read-only: item events, changes, supplementary items,
/// uploads and deliverable events are refused (422).
/// </summary>
public static class CampaignClosing
{
    private sealed record ClosingState(string State, DateTimeOffset? ClosedAt);

    /// <summary>How many open items the refusal names in its message; the full list is in <c>openItems</c>.</summary>
    private const int NamedInMessage = 5;

    public static async Task<Results<Ok<CampaignDto>, ValidationProblem, ProblemHttpResult>> Close(
        Guid id, CloseCampaignRequest? request, HttpContext http, NpgsqlDataSource db, TimeProvider clock, DefinitionStore definitions, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        // The role first (a unit or the supervision office never closes a campaign, whichever it is), then visibility.
        if (!user.IsAdmin && !user.IsLeadingGroup)
            return Problems.Forbidden("只有发起整改工作的领导小组办公室或管理员可以结束整改工作 / only the issuing leading-group office or an administrator may close a campaign");
        var v = new Validator();
        var note = v.OptionalMultiline("note", request?.Note, 2000);
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var outcome = await CloseAsync(db, definitions, id, user, note, clock.GetUtcNow(), ct);
        return outcome switch
        {
            CloseDone done => TypedResults.Ok(done.Closed.Campaign),
            CloseRefused { Status: 404 } => Problems.NotFound("整改工作"),
            CloseRefused { Status: 403 } r => Problems.Forbidden(r.Message),
            CloseRefused r => Refusal(r),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    /// <summary>422 with the open items (id, number, title, state) under <c>openItems</c>, the first few named in the message.</summary>
    private static ProblemHttpResult Refusal(CloseRefused r) => TypedResults.Problem(statusCode: 422, title: "当前不允许此操作 / Unprocessable",
        detail: r.Message, extensions: r.OpenItems.Count == 0 ? null : new Dictionary<string, object?> { ["openItems"] = r.OpenItems });

    /// <summary>The whole close, shared by the API and the campaign page.</summary>
    public static async Task<CloseOutcome> CloseAsync(
        NpgsqlDataSource db, DefinitionStore definitions, Guid id, CurrentUser user, string? note, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, id, user, now, ct);
        if (campaign is null) return new CloseRefused(404, "", []);
        if (!Access.CanManageCampaign(user, campaign.IssuedByUnit))
            return new CloseRefused(403, "只有发起单位可以结束整改工作 / only the issuing office may close a campaign", []);

        await using var tx = await connection.BeginTransactionAsync(ct);
        // Item events take this row FOR SHARE (ItemEventService): an event in flight finishes before the check below reads
        // the items, and one that starts later sees the campaign closed. Nothing can reopen an item between check and close.
        var state = await connection.QuerySingleAsync<ClosingState>(new CommandDefinition(
            "select state, closed_at as ClosedAt from campaigns where id = @id for update", new { id }, tx, cancellationToken: ct));
        if (state.State == CampaignStates.Closed)
        {
            var at = state.ClosedAt is { } t ? Labels.Date(ItemStatus.LocalToday(t, campaign.TimeZone)) : "此前";
            return new CloseRefused(422, $"整改工作已于{at}结束归档，不能重复结束 / the campaign is already closed", []);
        }
        if (state.State == CampaignStates.Draft)
            return new CloseRefused(422, "整改工作尚未启动，不能结束；未启动的整改工作可继续编辑 / a draft campaign cannot be closed", []);

        var open = (await connection.QueryAsync<(Guid Id, string? Number, string Title, string State)>(new CommandDefinition("""
            select id, number, title, state from items
            where campaign_id = @id and state not in ('closed', 'withdrawn') order by seq
            """, new { id }, tx, cancellationToken: ct)))
            .Select(i => new OpenItem(i.Id, i.Number, i.Title, i.State, Labels.State(i.State))).ToList();
        if (open.Count > 0)
        {
            var named = string.Join("；", open.Take(NamedInMessage).Select(i => $"{(i.Number is null ? "" : i.Number + " ")}{i.Title}（{i.StateName}）"));
            var more = open.Count > NamedInMessage ? $"等{open.Count}项" : "";
            return new CloseRefused(422,
                $"还有{open.Count}项问题未销号或撤销，不能结束整改工作：{named}{more} / {open.Count} item(s) are neither closed nor withdrawn", open);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            update campaigns set state = 'closed', closed_at = @now, closed_by = @by, close_note = @note, version = version + 1 where id = @id;
            delete from timers where campaign_id = @id;
            insert into journal(campaign_id, at, actor, type, from_state, to_state, note, data)
            values (@id, @now, @by, 'campaignClosed', 'active', 'closed', @note, @data::jsonb);
            """, new { id, now, by = user.UserName, note, data = JsonSerializer.Serialize(new { items = campaign.Stats.Total }) }, tx, cancellationToken: ct));

        // The final report as of the day of closing, from inside the transaction (the campaign reads as closed in it).
        var closed = (await CampaignQueries.FindVisibleAsync(connection, id, user, now, ct))!;
        var today = ItemStatus.LocalToday(now, closed.TimeZone);
        var data = await ReportApi.LoadAsync(
            connection, definitions, new ReportApi.ReportRequest("final", closed, user, today, today, now), ct);
        var name = LedgerApi.FileName(closed.Title, "整改情况报告", today, "docx");
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into campaign_final_reports(campaign_id, file_name, content, created_at, created_by) values (@id, @name, @content, @now, @by)
            """, new { id, name, content = ReportDocument.Build(data), now, by = user.UserName }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CloseDone(new ClosedCampaign(closed, name));
    }

    /// <summary>The final report kept when the campaign closed, or null (not closed, or closed before reports were kept).</summary>
    public static async Task<(string Name, byte[] Content)?> FinalReportAsync(NpgsqlConnection connection, Guid campaignId, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<(string, byte[])?>(new CommandDefinition(
            "select file_name, content from campaign_final_reports where campaign_id = @campaignId", new { campaignId }, cancellationToken: ct));
}
