using System.Text.Json;
using Dapper;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Documents;
using Rectify.Api.Features.Import;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Jobs;

public static class TaskKinds
{
    public const string LedgerExport = "ledgerExport";
    /// <summary>A campaign as one .zip (issue 13.6): ledger, final report, letters, every evidence file, a manifest.</summary>
    public const string ArchiveExport = "archiveExport";
    public const string Import = "import";
}

public static class TaskStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static string Zh(string state) => state switch
    {
        Queued => "排队中",
        Running => "进行中",
        Succeeded => "已完成",
        Failed => "失败",
        _ => state,
    };
}

/// <summary>
/// What GET /api/tasks/{id} returns: a person's background task (an export, an import) and how far it is.
/// <paramref name="Summary"/> is what a task without a file produced: for an import <c>{imported, collectives, errors}</c>,
/// the same as a direct import's answer (errors <c>[{row, field, cell, message}]</c> when it failed).
/// </summary>
public sealed record BackgroundTaskDto(
    Guid Id, string Kind, string State, string StateName, string Title, int Progress, int? Total, Guid? CampaignId,
    string? ResultName, string? ResultUrl, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    JsonElement? Summary = null);

/// <summary>An import task's parameters: the kept upload it imports (once) and the office's picks for ambiguous names.</summary>
public sealed record ImportTaskParameters(Guid UploadId, string FileName, IReadOnlyList<ImportChoice> Choices);

/// <summary>The rows of <c>background_tasks</c>: created by a request, advanced by a Hangfire job, read by the page that started it.</summary>
public sealed class BackgroundTasks(NpgsqlDataSource db, TimeProvider clock, IBackgroundJobClient jobs)
{
    /// <summary>Records the task and enqueues the job that runs it, in that order (the job finds its row).</summary>
    public async Task<Guid> StartAsync(string kind, string title, Guid requestedBy, Guid? campaignId, object parameters, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into background_tasks(id, kind, title, requested_by, campaign_id, parameters, created_at, updated_at)
                values (@id, @kind, @title, @requestedBy, @campaignId, @parameters::jsonb, @now, @now)
                """, new { id, kind, title, requestedBy, campaignId, parameters = JsonSerializer.Serialize(parameters, JsonSerializerOptions.Web), now }, cancellationToken: ct));
        }
        var jobId = jobs.Enqueue<BackgroundTaskRunner>(r => r.RunAsync(id, CancellationToken.None));
        await using (var connection = await db.OpenConnectionAsync(ct))
            await connection.ExecuteAsync(new CommandDefinition("update background_tasks set job_id = @jobId where id = @id",
                new { id, jobId }, cancellationToken: ct));
        return id;
    }

    /// <summary>
    /// Starts the import of a kept upload, or answers the task already importing it (a confirmation sent twice): one
    /// upload, one task, unless the earlier one failed.
    /// </summary>
    public async Task<Guid> StartImportAsync(string title, Guid requestedBy, Guid campaignId, ImportTaskParameters parameters, CancellationToken ct)
    {
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var existing = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
                select id from background_tasks
                where kind = 'import' and campaign_id = @campaignId and parameters->>'uploadId' = @upload and state <> 'failed'
                order by created_at limit 1
                """, new { campaignId, upload = parameters.UploadId.ToString() }, cancellationToken: ct));
            if (existing is { } id) return id;
        }
        return await StartAsync(TaskKinds.Import, title, requestedBy, campaignId, parameters, ct);
    }

    /// <summary>Marks a task succeeded inside the transaction of its work, so the work and its record commit together.</summary>
    public static async Task SucceedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid taskId, object summary, DateTimeOffset now, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            update background_tasks set state = 'succeeded', progress = coalesce(total, progress), summary = @summary::jsonb,
                   finished_at = @now, updated_at = @now
            where id = @taskId
            """, new { taskId, summary = JsonSerializer.Serialize(summary, SummaryJson), now }, tx, cancellationToken: ct));
    }

    internal static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerOptions.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<BackgroundTaskDto?> FindAsync(Guid id, CurrentUser user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Row.Select + " where id = @id", new { id }, cancellationToken: ct));
        return row is null || !(user.IsAdmin || row.RequestedBy == user.Id) ? null : row.ToDto();
    }

    public async Task<IReadOnlyList<BackgroundTaskDto>> ListAsync(CurrentUser user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Row.Select + " where requested_by = @id order by created_at desc limit 50", new { id = user.Id }, cancellationToken: ct));
        return rows.Select(r => r.ToDto()).ToList();
    }

    /// <summary>
    /// The finished file: its chunks (<see cref="TaskResults"/>) or, for a task finished before results were chunked,
    /// the bytes of <c>background_tasks.result</c>. Null while there is none.
    /// </summary>
    public async Task<ResultFile?> ResultAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ResultFile>(new CommandDefinition("""
            select result_name as Name, result_type as Type, result_size as Size, result as Bytes from background_tasks
            where id = @id and state = 'succeeded' and (result_size is not null or result is not null)
            """, new { id }, cancellationToken: ct));
    }

    /// <param name="Size">Set when the file is stored in chunks (stream it with <see cref="TaskResults.CopyAsync"/>); else <paramref name="Bytes"/>.</param>
    public sealed record ResultFile(string Name, string Type, long? Size, byte[]? Bytes);

    public sealed record Row(
        Guid Id, string Kind, string State, string Title, int Progress, int? Total, Guid? RequestedBy, Guid? CampaignId,
        string? ResultName, bool HasResult, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
        string? Summary)
    {
        public const string Select = """
            select id, kind, state, title, progress, total, requested_by as RequestedBy, campaign_id as CampaignId,
                   result_name as ResultName, (result_size is not null or result is not null) as HasResult, error, created_at as CreatedAt,
                   started_at as StartedAt, finished_at as FinishedAt, summary::text as Summary
            from background_tasks
            """;

        public BackgroundTaskDto ToDto() => new(Id, Kind, State, TaskStates.Zh(State), Title, Progress, Total, CampaignId, ResultName,
            HasResult && State == TaskStates.Succeeded ? $"/api/tasks/{Id}/result" : null, Error, CreatedAt, StartedAt, FinishedAt,
            Summary is null ? null : JsonDocument.Parse(Summary).RootElement.Clone());
    }
}

/// <summary>
/// The Hangfire job behind every background task. Safe to run twice: a task already finished is left alone, and two
/// runs at once (a node thought dead, a manual requeue) meet at an advisory lock on the task, where the second gives up.
/// A failure is written to the task (the person sees it) and rethrown, so Hangfire's retry and dashboard see it too.
/// </summary>
public sealed class BackgroundTaskRunner(
    NpgsqlDataSource db, TimeProvider clock, Rectify.Workflows.Definitions.DefinitionStore definitions, CampaignArchive archive, ImportService imports,
    ILogger<BackgroundTaskRunner> logger)
{
    /// <summary>Progress is written at most this often (rows between updates), so a big export costs few statements.</summary>
    private const int ProgressStep = 500;

    [AutomaticRetry(Attempts = 2)]
    public async Task RunAsync(Guid taskId, CancellationToken ct)
    {
        await using var guard = await db.OpenConnectionAsync(ct);
        if (!await guard.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select pg_try_advisory_lock(hashtextextended(@key, 0))", new { key = $"background_task:{taskId}" }, cancellationToken: ct)))
        {
            logger.LogInformation("Background task {Task} is being run by another worker", taskId);
            return;
        }
        try
        {
            var now = clock.GetUtcNow();
            var task = await guard.QuerySingleOrDefaultAsync<Claimed>(new CommandDefinition("""
                update background_tasks set state = 'running', started_at = coalesce(started_at, @now), attempts = attempts + 1,
                       error = null, updated_at = @now
                where id = @taskId and state in ('queued', 'running')
                returning kind, parameters::text as Parameters, requested_by as RequestedBy, campaign_id as CampaignId
                """, new { taskId, now }, cancellationToken: ct));
            if (task is null) return; // finished before (or never recorded): nothing to do twice
            try
            {
                if (task.Kind == TaskKinds.Import)
                {
                    // An import records its success in the transaction that writes its items.
                    await ImportAsync(taskId, task, ct);
                }
                else
                {
                    // An export writes its file to a temporary file (bounded memory however big it is), stored in chunks.
                    await using var output = TaskResults.TemporaryFile();
                    var (name, type) = task.Kind switch
                    {
                        TaskKinds.LedgerExport => await LedgerAsync(taskId, task, output, ct),
                        TaskKinds.ArchiveExport => await ArchiveAsync(taskId, task, output, ct),
                        _ => throw new InvalidOperationException($"unknown background task kind {task.Kind}"),
                    };
                    await TaskResults.SucceedAsync(guard, taskId, name, type, output, clock.GetUtcNow(), ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var message = ex is BackgroundTaskProblem p ? p.Message
                    : task.Kind == TaskKinds.Import ? $"导入失败，未导入任何问题，请稍后重试或联系管理员 / the import failed, nothing was imported ({ex.GetType().Name})"
                    : $"导出失败，请稍后重试或联系管理员 / the task failed ({ex.GetType().Name})";
                var summary = ex is BackgroundTaskProblem { Summary: { } s } ? JsonSerializer.Serialize(s, BackgroundTasks.SummaryJson) : null;
                await guard.ExecuteAsync(new CommandDefinition("""
                    update background_tasks set state = 'failed', error = @message, summary = coalesce(@summary::jsonb, summary),
                           finished_at = @now, updated_at = @now
                    where id = @taskId
                    """, new { taskId, message, summary, now = clock.GetUtcNow() }, cancellationToken: CancellationToken.None));
                if (ex is BackgroundTaskProblem) return; // the person's problem (a campaign gone, an account disabled): retrying changes nothing
                throw;
            }
        }
        finally
        {
            await guard.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(hashtextextended(@key, 0))",
                new { key = $"background_task:{taskId}" }, cancellationToken: CancellationToken.None));
        }
    }

    private async Task<CurrentUser?> RequesterAsync(NpgsqlConnection connection, Claimed task, CancellationToken ct) =>
        task.RequestedBy is { } by ? await connection.QuerySingleOrDefaultAsync<CurrentUser>(new CommandDefinition("""
            select id, user_name as UserName, role, unit_code as UnitCode, person_id as PersonId
            from users where id = @by and disabled_at is null
            """, new { by }, cancellationToken: ct)) : null;

    private async Task<(string Name, string Type)> LedgerAsync(Guid taskId, Claimed task, Stream output, CancellationToken ct)
    {
        var p = JsonSerializer.Deserialize<LedgerExportParameters>(task.Parameters, JsonSerializerOptions.Web) ?? new LedgerExportParameters(null, null, null, null);
        await using var connection = await db.OpenConnectionAsync(ct);
        var user = await RequesterAsync(connection, task, ct)
            ?? throw new BackgroundTaskProblem("发起导出的账号已不存在或已停用 / the account that started the export is gone or disabled");
        var progress = new ProgressWriter(db, taskId, ProgressStep);
        var file = new LedgerApi.LedgerFile(task.CampaignId!.Value, user, new ItemFilters(p.Unit, p.State, p.Overdue, p.Q), clock.GetUtcNow());
        var ledger = await LedgerApi.BuildAsync(connection, definitions, file, progress.Report, ct);
        if (ledger is null) throw new BackgroundTaskProblem("整改工作不存在或无权查看 / the campaign does not exist or is not visible");
        await output.WriteAsync(ledger.Value.Bytes, ct);
        return (ledger.Value.FileName, XlsxBuilder.ContentType);
    }

    private async Task<(string Name, string Type)> ArchiveAsync(Guid taskId, Claimed task, Stream output, CancellationToken ct)
    {
        CurrentUser? user;
        await using (var connection = await db.OpenConnectionAsync(ct))
            user = await RequesterAsync(connection, task, ct);
        if (user is null) throw new BackgroundTaskProblem("发起导出的账号已不存在或已停用 / the account that started the export is gone or disabled");
        // One file per step (a letter, an evidence file): a progress row every few files is enough.
        var progress = new ProgressWriter(db, taskId, 20);
        var name = await archive.WriteAsync(task.CampaignId!.Value, user, output, progress.Report, ct);
        return (name, CampaignArchive.ContentType);
    }

    /// <summary>
    /// A big problem list (issue 15): imported from its kept upload by <see cref="ImportService.RunTaskAsync"/>, which
    /// marks the task succeeded in the transaction that writes the items; a refusal (rows with errors, the campaign
    /// launched meanwhile, the upload already imported) fails the task with the same errors a direct import gives.
    /// </summary>
    private async Task ImportAsync(Guid taskId, Claimed task, CancellationToken ct)
    {
        var p = JsonSerializer.Deserialize<ImportTaskParameters>(task.Parameters, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"import task {taskId} has no parameters");
        CurrentUser? user;
        await using (var connection = await db.OpenConnectionAsync(ct))
            user = await RequesterAsync(connection, task, ct);
        if (user is null) throw new BackgroundTaskProblem("发起导入的账号已不存在或已停用，未导入任何问题 / the account that started the import is gone or disabled");
        var progress = new ProgressWriter(db, taskId, ProgressStep);
        var outcome = await imports.RunTaskAsync(taskId, task.CampaignId!.Value, p.UploadId, user, p.Choices ?? [], progress.Report, ct);
        switch (outcome)
        {
            case ImportDone: return;
            case ImportRefused r: throw new BackgroundTaskProblem(r.Detail, new ImportResult(0, r.Errors, []));
            default: throw new InvalidOperationException($"import task {taskId}: {outcome.GetType().Name}");
        }
    }

    public sealed record Claimed(string Kind, string Parameters, Guid? RequestedBy, Guid? CampaignId);

    /// <summary>Writes "rows done / total" every <c>step</c> rows (and at 0 and at the end), on its own short statements.</summary>
    private sealed class ProgressWriter(NpgsqlDataSource db, Guid taskId, int step)
    {
        public void Report(int done, int total)
        {
            if (done != 0 && done != total && done % step != 0) return;
            using var connection = db.OpenConnection();
            connection.Execute("update background_tasks set progress = @done, total = @total, updated_at = now() where id = @taskId",
                new { done, total, taskId });
        }
    }
}

public sealed record LedgerExportParameters(string? Unit, string? State, bool? Overdue, string? Q);

/// <summary>GET /api/tasks, GET /api/tasks/{id}, GET /api/tasks/{id}/result; POST /api/campaigns/{id}/ledger/export.</summary>
public static class BackgroundTasksApi
{
    public static IEndpointRouteBuilder MapBackgroundTasksApi(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/api/tasks").WithTags("Background tasks").RequireAuthorization();
        tasks.MapGet("/", async (HttpContext http, BackgroundTasks store, CancellationToken ct) =>
            TypedResults.Ok(await store.ListAsync(CurrentUser.From(http.User), ct)));
        tasks.MapGet("/{id:guid}", Get);
        tasks.MapGet("/{id:guid}/result", Result);
        app.MapPost("/api/campaigns/{campaignId:guid}/ledger/export", StartLedgerExport).WithTags("Documents").RequireAuthorization();
        app.MapPost("/api/campaigns/{campaignId:guid}/archive/export", CampaignArchive.StartExport).WithTags("Documents").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<BackgroundTaskDto>, ProblemHttpResult>> Get(Guid id, HttpContext http, BackgroundTasks store, CancellationToken ct) =>
        await store.FindAsync(id, CurrentUser.From(http.User), ct) is { } task ? TypedResults.Ok(task) : Problems.NotFound("后台任务");

    /// <summary>The finished file, streamed chunk by chunk from the database (a big archive never sits in memory whole).</summary>
    public static async Task<Results<PushStreamHttpResult, FileContentHttpResult, ProblemHttpResult>> Result(
        Guid id, HttpContext http, BackgroundTasks store, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await store.FindAsync(id, CurrentUser.From(http.User), ct) is not { } task) return Problems.NotFound("后台任务");
        if (task.State != TaskStates.Succeeded || await store.ResultAsync(id, ct) is not { } file)
            return TypedResults.Problem(statusCode: 409, title: "任务尚未完成 / The task has not finished",
                detail: task.State == TaskStates.Failed ? task.Error : $"当前状态：{task.StateName}（{task.Progress}/{task.Total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}）");
        if (file.Bytes is { } legacy) return TypedResults.File(legacy, file.Type, file.Name);
        http.Response.ContentLength = file.Size;
        return TypedResults.Stream(body => TaskResults.CopyAsync(db, id, body, http.RequestAborted), file.Type, file.Name);
    }

    /// <summary>The ledger of a big campaign, built by a background job; answers 202 with the task to watch.</summary>
    /// <summary>The query string of POST /api/campaigns/{id}/ledger/export: the ledger's filter.</summary>
    public static async Task<Results<Accepted<BackgroundTaskDto>, ValidationProblem, ProblemHttpResult>> StartLedgerExport(
        Guid campaignId, [AsParameters] LedgerApi.LedgerQuery filter, [AsParameters] ApiRequest api, BackgroundTasks store, CancellationToken ct)
    {
        var (unit, state, overdue, q) = filter;
        var (http, db, clock) = api;
        var user = CurrentUser.From(http.User);
        var v = new Validator();
        if (state is not null) v.OneOf("state", state, ItemStates.All);
        var query = v.Optional("q", q, 200);
        if (!v.IsValid) return Problems.Invalid(v.Errors);
        CampaignDto? campaign;
        await using (var connection = await db.OpenConnectionAsync(ct))
            campaign = await CampaignQueries.FindVisibleAsync(connection, campaignId, user, clock.GetUtcNow(), ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        var id = await store.StartAsync(TaskKinds.LedgerExport, $"导出整改台账：{campaign.Title}", user.Id, campaignId,
            new LedgerExportParameters(unit, state, overdue, query), ct);
        var task = (await store.FindAsync(id, user, ct))!;
        return TypedResults.Accepted($"/api/tasks/{id}", task);
    }
}
