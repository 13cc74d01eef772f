using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Documents;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Api.Jobs;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Import;

/// <summary>The list to import: its file name (the extension says little, the bytes decide) and its content.</summary>
public sealed record ImportFile(string FileName, Stream Content);

/// <summary>
/// How to run an import: <paramref name="DryRun"/> reads and resolves everything and writes nothing but the upload (kept for
/// the confirmation); <paramref name="Choices"/> are the office's picks for ambiguous names.
/// </summary>
public sealed record ImportRunOptions(bool DryRun = false, IReadOnlyList<ImportChoice>? Choices = null);

public abstract record ImportOutcome;

/// <summary>Every row imported.</summary>
public sealed record ImportDone(ImportResult Result) : ImportOutcome;

/// <summary>A dry run: what would be created, and the errors that would stop it.</summary>
public sealed record ImportPreviewed(ImportPreview Preview) : ImportOutcome;

/// <summary>
/// A list longer than <see cref="ImportOptions.BackgroundRows"/>: kept as an upload and imported by a background task
/// (202 with the task to watch); the task ends with the same result or the same errors as a direct import.
/// </summary>
public sealed record ImportQueued(BackgroundTaskDto Task) : ImportOutcome;

/// <summary>Nothing imported: the status (400 unreadable file, 404, 403, 413, 422 rows with errors), a message and the errors.</summary>
public sealed record ImportRefused(int Status, string Title, string Detail, IReadOnlyList<ImportError> Errors) : ImportOutcome;

/// <summary>
/// The import as one function (issue 15): a file, a campaign, the caller and options in; a result, a preview or a refusal
/// out. The HTTP endpoint and the import page call it as it is. A list longer than <see cref="ImportOptions.BackgroundRows"/>
/// is kept as an upload and imported by a background task (<see cref="RunTaskAsync"/>, on a Hangfire worker) with its
/// progress; the task's transaction writes the items, consumes the upload and marks the task succeeded together, so a
/// failed task writes nothing and a task run twice imports once. All rows or none, nothing written by a dry run but
/// the upload it can be confirmed from; an upload is imported at most once.
/// </summary>
public sealed class ImportService(
    NpgsqlDataSource db, TimeProvider clock, [FromKeyedServices("wall")] TimeProvider wall, IOptions<ImportOptions> options, AdminJournal journal,
    BackgroundTasks tasks, ILogger<ImportService> logger)
{
    /// <summary>
    /// The rows a request read before handing a long list to its task, by upload: the task, when this node runs it soon
    /// after, starts from them instead of reading the file a second time (another node, or a later run, reads the bytes).
    /// </summary>
    private readonly ConcurrentDictionary<Guid, (long At, IReadOnlyList<RawRow> Rows)> readRows = new();

    private const int ReadRowsKept = 4;
    private static readonly TimeSpan ReadRowsFor = TimeSpan.FromMinutes(10);
    private sealed record CampaignFacts(string Title, string IssuedByUnit, string State, DateOnly? NoticeDate, string Phases, string TimeZone)
    {
        public Guid Id { get; init; }
    }

    /// <summary>The bytes to import, their file name, and the kept upload they came from (consumed by the import), if any.</summary>
    private sealed record Source(string FileName, byte[] Content, Guid? UploadId);

    /// <summary>The background task an import runs in, and where it reports rows written.</summary>
    private sealed record TaskRun(Guid TaskId, Action<int, int> Progress);

    /// <summary>Items are written in batches of this many rows inside the one transaction, the task's progress after each.</summary>
    private const int Batch = 500;

    private const string Title = "问题清单有误，未导入任何问题 / Import rejected, nothing imported";
    private const string FileTitle = "无法读取上传的文件 / Unreadable file";

    /// <summary>Imports (or previews) <paramref name="file"/> into draft campaign <paramref name="campaignId"/> as <paramref name="user"/>.</summary>
    public async Task<ImportOutcome> RunAsync(Guid campaignId, ImportFile file, CurrentUser user, ImportRunOptions run, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var (campaign, refusal) = await CampaignAsync(connection, campaignId, user, ct);
        if (refusal is not null) return refusal;
        var content = await ReadAllAsync(file.Content, ct);
        if (content is null) return FileRefused(413, $"文件超过 {options.Value.MaxFileBytes / 1024 / 1024} MB / file too large");
        return await RunAsync(connection, campaign!, new Source(file.FileName, content, null), user, run, null, ct);
    }

    /// <summary>
    /// Runs on the upload a dry run kept (<see cref="ImportPreview.UploadId"/>): the same bytes, imported — or previewed
    /// again with the office's <paramref name="run"/> choices, keeping the same upload.
    /// </summary>
    public async Task<ImportOutcome> FromUploadAsync(Guid campaignId, Guid uploadId, CurrentUser user, ImportRunOptions run, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var (campaign, refusal) = await CampaignAsync(connection, campaignId, user, ct);
        if (refusal is not null) return refusal;
        var upload = await connection.QuerySingleOrDefaultAsync<(string FileName, byte[] Content)?>(new CommandDefinition(
            "select file_name, content from import_uploads where id = @uploadId and campaign_id = @campaignId", new { uploadId, campaignId }, cancellationToken: ct));
        if (upload is null) return FileRefused(404, "预览的文件已过期或不存在，请重新上传 / the previewed upload is gone: upload the file again");
        return await RunAsync(connection, campaign!, new Source(upload.Value.FileName, upload.Value.Content, uploadId), user, run, null, ct);
    }

    /// <summary>
    /// The background task's side (<see cref="BackgroundTaskRunner"/>): imports the kept upload with the office's choices,
    /// reporting rows written to <paramref name="progress"/>. On success the same transaction that writes the items
    /// deletes the upload and marks the task succeeded with its summary; a refusal writes nothing (the runner records it).
    /// The caller's rights are checked again: they may have changed since the task was started.
    /// </summary>
    public async Task<ImportOutcome> RunTaskAsync(
        Guid taskId, Guid campaignId, Guid uploadId, CurrentUser user, IReadOnlyList<ImportChoice> choices, Action<int, int> progress, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var (campaign, refusal) = await CampaignAsync(connection, campaignId, user, ct);
        if (refusal is not null) return refusal;
        var upload = await connection.QuerySingleOrDefaultAsync<(string FileName, byte[] Content)?>(new CommandDefinition(
            "select file_name, content from import_uploads where id = @uploadId and campaign_id = @campaignId", new { uploadId, campaignId }, cancellationToken: ct));
        if (upload is null) return ConsumedRefusal;
        return await RunAsync(connection, campaign!, new Source(upload.Value.FileName, upload.Value.Content, uploadId), user, new ImportRunOptions(false, choices),
            new TaskRun(taskId, progress), ct);
    }

    private const string InProgress = "该文件正在由同事导入，请稍后查看问题列表 / a colleague is importing this upload";

    private const string Consumed = "该文件已导入，或预览已过期：同一文件只导入一次，请查看问题列表或重新上传 / this upload was already imported (or has expired)";

    private async Task<ImportOutcome> RunAsync(
        NpgsqlConnection connection, CampaignFacts campaign, Source source, CurrentUser user, ImportRunOptions run, TaskRun? task, CancellationToken ct)
    {
        var (campaignId, fileName, content, uploadId) = (campaign.Id, source.FileName, source.Content, source.UploadId);
        var started = wall.GetTimestamp();
        IReadOnlyList<RawRow>? rows = null;
        if (task is not null && uploadId is { } readBefore && readRows.TryRemove(readBefore, out var kept) && wall.GetElapsedTime(kept.At) < ReadRowsFor)
            rows = kept.Rows;
        if (rows is null)
        {
            var (read, readProblem) = SheetReader.Read(content, fileName, options.Value.Limits, wall, ct);
            if (read is null) return FileRefused(readProblem!.Status, readProblem.Message);
            rows = read;
        }
        var readAt = wall.GetTimestamp();
        var header = HeaderMatcher.Find(rows);
        if (header is null)
            return Rejected([new ImportError(0, "file", null, "未找到表头行：前 20 行中没有可识别的列名（如 序号、反馈问题、整改措施、责任单位、整改时限） / no header row found")]);

        // A long list goes to a background task (the request answers 202 at once): kept as an upload, imported from it.
        if (!run.DryRun && task is null && rows.Count - header.FirstDataRowIndex > options.Value.BackgroundRows)
        {
            var keptUpload = uploadId ?? await KeepUploadAsync(connection, campaignId, fileName, content, user, ct);
            KeepRows(keptUpload, rows);
            var taskId = await tasks.StartImportAsync($"导入问题清单：{campaign.Title}（{fileName}）", user.Id, campaignId,
                new ImportTaskParameters(keptUpload, fileName, run.Choices ?? []), ct);
            // The task already importing this upload may be a colleague's, which this caller cannot watch.
            return await tasks.FindAsync(taskId, user, ct) is { } queued
                ? new ImportQueued(queued)
                : new ImportRefused(409, "文件正在导入 / Import in progress", InProgress, [new ImportError(0, "file", null, InProgress)]);
        }

        var context = await MapContextAsync(connection, campaignId, campaign, rows, header, run.Choices ?? [], ct);
        var plan = ImportMapper.Map(rows, header, context);
        var mappedAt = wall.GetTimestamp();
        if (run.DryRun)
        {
            var id = uploadId ?? await KeepUploadAsync(connection, campaignId, fileName, content, user, ct);
            return new ImportPreviewed(ImportPreview.From(id, fileName, rows, header, plan, context.Units));
        }
        if (plan.Errors.Count > 0) return Rejected(plan.Errors);

        await using var tx = await connection.BeginTransactionAsync(ct);
        var items = plan.Items.Select(p => p.Item).ToList();
        var now = clock.GetUtcNow();
        var imported = 0;
        task?.Progress(0, items.Count);
        // Batches in one transaction: the same all-or-none as one statement, with progress a task can show between them.
        for (var start = 0; start < items.Count; start += Batch)
        {
            var ids = await ItemWriter.InsertAsync(connection, tx, campaignId, items.GetRange(start, Math.Min(Batch, items.Count - start)), now, ct);
            if (ids is null) return new ImportRefused(422, Title, "整改工作已启动，不能再导入问题 / items can be imported only before launch", []);
            imported += ids.Count;
            task?.Progress(imported, items.Count);
        }
        // An upload is imported once: two confirmations of one preview (a double click, a task run twice) meet at its row,
        // and the later one, finding it gone, writes nothing.
        if (uploadId is { } upload && await connection.ExecuteAsync(new CommandDefinition(
                "delete from import_uploads where id = @upload", new { upload }, tx, cancellationToken: ct)) == 0)
        {
            await tx.RollbackAsync(ct);
            return ConsumedRefusal;
        }
        await journal.RecordAsync(connection, user.UserName, new AdminChange("import", "campaign", campaignId.ToString(),
            new { fileName, imported, milestones = plan.Items.Sum(p => p.Item.Milestones?.Count ?? 0), task = task?.TaskId }), ct, tx);
        var result = new ImportResult(imported, [], plan.Collectives);
        if (task is not null) await BackgroundTasks.SucceedAsync(connection, tx, task.TaskId, result, clock.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Imported {FileName} into campaign {Campaign}: {Rows} rows read in {Read} ms, resolved in {Resolve} ms, {Items} items written in {Write} ms{Task}",
            fileName, campaignId, rows.Count, (long)wall.GetElapsedTime(started, readAt).TotalMilliseconds, (long)wall.GetElapsedTime(readAt, mappedAt).TotalMilliseconds,
            imported, (long)wall.GetElapsedTime(mappedAt).TotalMilliseconds, task is null ? "" : $" (task {task.TaskId})");
        return new ImportDone(result);
    }

    /// <summary>Keeps the rows read for a task that may run on this node (a few, for a few minutes).</summary>
    private void KeepRows(Guid upload, IReadOnlyList<RawRow> rows)
    {
        foreach (var (id, entry) in readRows)
        {
            if (wall.GetElapsedTime(entry.At) >= ReadRowsFor) readRows.TryRemove(id, out _);
        }
        while (readRows.Count >= ReadRowsKept && readRows.OrderBy(e => e.Value.At).FirstOrDefault() is { Key: var oldest } && readRows.TryRemove(oldest, out _)) { }
        readRows[upload] = (wall.GetTimestamp(), rows);
    }

    /// <summary>The campaign if the caller may import into it now; else the refusal (404 unseen, 403 not its office, 422 launched).</summary>
    private static async Task<(CampaignFacts? Campaign, ImportRefused? Refusal)> CampaignAsync(NpgsqlConnection connection, Guid campaignId, CurrentUser user, CancellationToken ct)
    {
        // A campaign the caller may not see does not exist for it (404), like everywhere else.
        const string sql = $"""
            select c.title, c.issued_by_unit as IssuedByUnit, c.state, c.notice_date as NoticeDate, c.phases::text as Phases, c.time_zone as TimeZone
            from campaigns c where c.id = @campaignId and {Access.CampaignVisible}
            """;
        var campaign = await connection.QuerySingleOrDefaultAsync<CampaignFacts>(new CommandDefinition(sql,
            new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        if (campaign is null) return (null, new ImportRefused(404, "整改工作不存在 / Not found", "整改工作不存在或无权查看 / campaign not found", []));
        if (!Access.CanManageCampaign(user, campaign.IssuedByUnit))
            return (null, new ImportRefused(403, "无权操作 / Forbidden", "只有发起单位可以导入问题清单 / only the issuing office may import items", []));
        if (campaign.State != CampaignStates.Draft)
            return (null, new ImportRefused(422, Title, "整改工作已启动，不能再导入问题 / items can be imported only before launch", []));
        return (campaign with { Id = campaignId }, null);
    }

    private async Task<byte[]?> ReadAllAsync(Stream stream, CancellationToken ct)
    {
        var max = options.Value.MaxFileBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        for (int n; (n = await stream.ReadAsync(chunk, ct)) > 0;)
        {
            if (buffer.Length + n > max) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private async Task<MapContext> MapContextAsync(
        NpgsqlConnection connection, Guid campaignId, CampaignFacts campaign, IReadOnlyList<RawRow> rows, HeaderMap header,
        IReadOnlyList<ImportChoice> choices, CancellationToken ct)
    {
        var deadlines = await DeadlineContextAsync(connection, campaign, clock.GetUtcNow(), options.Value, ct)
            with
        { ReachBasis = await ItemValidation.ReachBasisAsync(connection, campaignId, ct) };
        var directory = await ImportApi.UnitDirectoryAsync(connection, ct);
        var leaderNames = header.ColumnOf(ImportFields.Leader) is { } leaderColumn
            ? rows.Skip(header.FirstDataRowIndex).SelectMany(r => LeaderDirectory.Candidates(r.Cell(leaderColumn))).Distinct().ToArray()
            : [];
        const string peopleSql = "select id, name from people where regexp_replace(name, '\\s', '', 'g') = any(@leaderNames)";
        var people = await connection.QueryAsync<(Guid Id, string Name)>(new CommandDefinition(peopleSql, new { leaderNames }, cancellationToken: ct));
        var sources = (await SourceQueries.ListAsync(connection, ct)).Select(s => s.Name).ToList();
        return new MapContext(directory, new LeaderDirectory(people), deadlines, sources, choices);
    }

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
        var calendar = await WorkingCalendar.ReadAsync(connection, ct);
        return new DeadlineContext(year, launch, campaign.NoticeDate, options.ImmediateWorkingDays, calendar);
    }

    /// <summary>Keeps a previewed file for its confirmation; uploads older than a day go at the same time.</summary>
    private async Task<Guid> KeepUploadAsync(NpgsqlConnection connection, Guid campaignId, string fileName, byte[] content, CurrentUser user, CancellationToken ct)
    {
        var now = wall.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        const string sql = """
            delete from import_uploads where created_at < @stale;
            insert into import_uploads(id, campaign_id, file_name, content, created_by, created_at) values (@id, @campaignId, @fileName, @content, @actor, @now);
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { stale = now.AddDays(-1), id, campaignId, fileName, content, actor = user.UserName, now }, cancellationToken: ct));
        return id;
    }

    private static ImportRefused Rejected(IReadOnlyList<ImportError> errors) => new(422, Title,
        errors.Count >= ImportMapper.MaxErrors
            ? $"发现至少 {errors.Count} 处错误（仅列出前 {ImportMapper.MaxErrors} 处），请修改后重新导入。"
            : $"发现 {errors.Count} 处错误，请修改后重新导入。", errors);

    private static readonly ImportRefused ConsumedRefusal =
        new(409, "文件已导入 / Already imported", Consumed, [new ImportError(0, "file", null, Consumed)]);

    private static ImportRefused FileRefused(int status, string message) => new(status, FileTitle, message, [new ImportError(0, "file", null, message)]);
}
