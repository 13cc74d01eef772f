using Rectify.Workflows.Calendar;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Documents;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Units;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Import;

public sealed class ImportOptions
{
    /// <summary>立行立改 ("fix at once") is due this many working days after the launch of rectification.</summary>
    public int ImmediateWorkingDays { get; set; } = 5;

    public long MaxFileBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>What reading one file may cost (rows, cells, merged ranges, uncompressed size, time).</summary>
    public ImportLimits Limits { get; set; } = new();
}

/// <summary>The import's answer; <c>collectives</c> says what each collective name (各乡镇 …) became.</summary>
public sealed record ImportResult(int Imported, IReadOnlyList<ImportError> Errors, IReadOnlyList<CollectiveName> Collectives);

/// <summary>Problem-list import (.xlsx / .csv) into a draft campaign: all rows or none.</summary>
public static class ImportApi
{
    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/campaigns/{campaignId:guid}/items/import", Import).WithTags("Import")
            .RequireAuthorization(Policies.ManageOrganisation).DisableAntiforgery();
        app.MapGet("/api/campaigns/import-template.xlsx", Template).WithTags("Import").RequireAuthorization();
        return app;
    }

    private sealed record CampaignFacts(string IssuedByUnit, string State, DateOnly? NoticeDate, string Phases, string TimeZone);

    public static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> Import(
        Guid campaignId, HttpRequest request, NpgsqlDataSource db, TimeProvider clock, IOptions<ImportOptions> options,
        AdminJournal journal, [FromKeyedServices("wall")] TimeProvider wall, CancellationToken ct)
    {
        var user = CurrentUser.From(request.HttpContext.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        // A campaign the caller may not see does not exist for it (404), like everywhere else.
        const string campaignSql = $"""
            select c.issued_by_unit as IssuedByUnit, c.state, c.notice_date as NoticeDate, c.phases::text as Phases, c.time_zone as TimeZone
            from campaigns c where c.id = @campaignId and {Access.CampaignVisible}
            """;
        var campaign = await connection.QuerySingleOrDefaultAsync<CampaignFacts>(new CommandDefinition(campaignSql,
            new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        if (campaign is null) return Problems.NotFound("整改工作");
        if (!Access.CanManageCampaign(user, campaign.IssuedByUnit)) return Problems.Forbidden("只有发起单位可以导入问题清单 / only the issuing office may import items");
        if (campaign.State != CampaignStates.Draft) return Problems.Unprocessable("整改工作已启动，不能再导入问题 / items can be imported only before launch");

        if (!request.HasFormContentType) return FileProblem(400, "请以 multipart/form-data 上传文件（字段名 file） / upload the file as multipart/form-data, part \"file\"");
        if (request.ContentLength > options.Value.MaxFileBytes) return FileProblem(413, $"文件超过 {options.Value.MaxFileBytes / 1024 / 1024} MB / file too large");
        var form = await request.ReadFormAsync(ct);
        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null) return FileProblem(400, "没有收到文件：请在字段 file 中上传 .xlsx、.xls、.docx 或 .csv 文件 / no file in part \"file\"");
        if (file.Length > options.Value.MaxFileBytes) return FileProblem(413, $"文件超过 {options.Value.MaxFileBytes / 1024 / 1024} MB / file too large");
        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(content, ct);
        var (rows, readProblem) = SheetReader.Read(content, file.FileName, options.Value.Limits, wall, ct);
        if (rows is null) return FileProblem(readProblem!.Status, readProblem.Message);
        var header = HeaderMatcher.Find(rows);
        if (header is null)
            return Rejected([new ImportError(0, "file", null, "未找到表头行：前 20 行中没有可识别的列名（如 序号、反馈问题、整改措施、责任单位、整改时限） / no header row found")]);

        var context = await DeadlineContextAsync(connection, campaign, clock.GetUtcNow(), options.Value, ct)
            with { ReachBasis = await ItemValidation.ReachBasisAsync(connection, campaignId, ct) };
        var directory = await UnitDirectoryAsync(connection, ct);
        var leaderNames = header.ColumnOf(ImportFields.Leader) is { } leaderColumn
            ? rows.Skip(header.FirstDataRowIndex).SelectMany(r => LeaderDirectory.Candidates(r.Cell(leaderColumn))).Distinct().ToArray()
            : [];
        const string peopleSql = "select id, name from people where regexp_replace(name, '\\s', '', 'g') = any(@leaderNames)";
        var people = await connection.QueryAsync<(Guid Id, string Name)>(new CommandDefinition(peopleSql, new { leaderNames }, cancellationToken: ct));
        var plan = ImportMapper.Map(rows, header, directory, new LeaderDirectory(people), context);
        if (plan.Errors.Count > 0) return Rejected(plan.Errors);

        await using var tx = await connection.BeginTransactionAsync(ct);
        var ids = await ItemWriter.InsertAsync(connection, tx, campaignId, plan.Items, clock.GetUtcNow(), ct);
        if (ids is null) return Problems.Unprocessable("整改工作已启动，不能再导入问题 / items can be imported only before launch");
        const string texts = "update items i set deadline_text = t.text from unnest(@ids, @texts) as t(id, text) where i.id = t.id and t.text is not null";
        await connection.ExecuteAsync(new CommandDefinition(texts, new { ids = ids.ToArray(), texts = plan.DeadlineTexts.ToArray() }, tx, cancellationToken: ct));
        await journal.RecordAsync(connection, request.HttpContext, "import", "campaign", campaignId.ToString(),
            new { fileName = file.FileName, imported = ids.Count }, ct, tx);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(new ImportResult(ids.Count, [], plan.Collectives));
    }

    /// <summary>Units with their kinds, the unit groups and the unit aliases, as the importer resolves names against them.</summary>
    internal static async Task<UnitDirectory> UnitDirectoryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var units = await connection.QueryAsync<(string Code, string Name, string Kind)>(new CommandDefinition("select code, name, kind from units order by code", cancellationToken: ct));
        var groups = await UnitGroupsApi.ReadAsync(connection, ct);
        var aliases = await UnitGroupsApi.ReadAliasesAsync(connection, ct);
        return new UnitDirectory(units, groups.Select(g => (g.Name, g.Aliases, g.Units)), aliases.Select(a => (a.Alias, a.UnitCode)));
    }

    public static FileContentHttpResult Template() =>
        TypedResults.File(ImportTemplate.Build(), ImportTemplate.ContentType, "问题清单导入模板.xlsx");

    /// <summary>
    /// The year "6月10日前" falls in (the notice's, else the first phase's, else this year) and the day 立行立改 counts
    /// from: the start of the rectify phase (集中整改), else the first phase, else today, since import happens before launch.
    /// </summary>
    private static async Task<DeadlineContext> DeadlineContextAsync(
        NpgsqlConnection connection, CampaignFacts campaign, DateTimeOffset now, ImportOptions options, CancellationToken ct)
    {
        var phases = JsonSerializer.Deserialize<List<Phase>>(campaign.Phases, CampaignRow.PhaseJson) ?? [];
        var today = ItemStatus.LocalToday(now, campaign.TimeZone);
        var launch = phases.FirstOrDefault(p => p.Key == "rectify")?.Start ?? phases.OrderBy(p => p.Start).FirstOrDefault()?.Start ?? today;
        var year = campaign.NoticeDate?.Year ?? phases.OrderBy(p => p.Start).FirstOrDefault()?.Start.Year ?? today.Year;
        var anchor = campaign.NoticeDate is { } notice && notice < launch ? notice : launch;
        var calendar = await WorkingCalendar.ReadAsync(connection, ct);
        return new DeadlineContext(year, launch, campaign.NoticeDate, options.ImmediateWorkingDays, calendar);
    }

    private static ProblemHttpResult Rejected(IReadOnlyList<ImportError> errors) =>
        TypedResults.Problem(statusCode: 422, title: "问题清单有误，未导入任何问题 / Import rejected, nothing imported",
            detail: errors.Count >= ImportMapper.MaxErrors
                ? $"发现至少 {errors.Count} 处错误（仅列出前 {ImportMapper.MaxErrors} 处），请修改后重新导入。"
                : $"发现 {errors.Count} 处错误，请修改后重新导入。",
            extensions: new Dictionary<string, object?> { ["imported"] = 0, ["errors"] = errors });

    private static ProblemHttpResult FileProblem(int status, string message) =>
        TypedResults.Problem(statusCode: status, title: "无法读取上传的文件 / Unreadable file", detail: message,
            extensions: new Dictionary<string, object?> { ["imported"] = 0, ["errors"] = new[] { new ImportError(0, "file", null, message) } });
}
