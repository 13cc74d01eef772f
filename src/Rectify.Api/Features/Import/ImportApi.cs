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

    /// <summary>
    /// Rectify:Import:BackgroundRows — a list with more rows than this (below its header) is imported by a background
    /// task: the request answers 202 with the task, whose progress the import page shows. Previews stay immediate.
    /// </summary>
    public int BackgroundRows { get; set; } = 2_000;

    /// <summary>What reading one file may cost (rows, cells, merged ranges, uncompressed size, time).</summary>
    public ImportLimits Limits { get; set; } = new();
}

/// <summary>The import's answer; <c>collectives</c> says what each collective name (各乡镇 …) became.</summary>
public sealed record ImportResult(int Imported, IReadOnlyList<ImportError> Errors, IReadOnlyList<CollectiveName> Collectives);

/// <summary>
/// Problem-list import (.xlsx, .xls, .docx, .csv) into a draft campaign: all rows or none. <c>?dryRun=true</c> answers the
/// preview (what would be created, the errors in their cells) and keeps the upload; the form field <c>uploadId</c>
/// (instead of a file) confirms it, with <c>choices</c> (JSON) picking units for ambiguous names. The work is
/// <see cref="ImportService"/>'s; this is its HTTP face.
/// </summary>
public static class ImportApi
{
    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/campaigns/{campaignId:guid}/items/import", Import).WithTags("Import")
            .RequireAuthorization(Policies.ManageOrganisation).DisableAntiforgery();
        app.MapGet("/api/campaigns/import-template.xlsx", Template).WithTags("Import").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<ImportResult>, Ok<ImportPreview>, Accepted<Jobs.BackgroundTaskDto>, ProblemHttpResult>> Import(
        Guid campaignId, HttpRequest request, ImportService imports, IOptions<ImportOptions> options, bool? dryRun, CancellationToken ct)
    {
        var outcome = await RunAsync(campaignId, request, imports, options.Value, dryRun ?? false, ct);
        return outcome switch
        {
            ImportDone done => TypedResults.Ok(done.Result),
            ImportPreviewed preview => TypedResults.Ok(preview.Preview),
            ImportQueued queued => TypedResults.Accepted($"/api/tasks/{queued.Task.Id}", queued.Task),
            ImportRefused refused => Problem(refused),
            _ => throw new InvalidOperationException(outcome.GetType().Name),
        };
    }

    /// <summary>Reads the multipart request (a file, or the <c>uploadId</c> of a preview; <c>choices</c>) and runs the import.</summary>
    internal static async Task<ImportOutcome> RunAsync(Guid campaignId, HttpRequest request, ImportService imports, ImportOptions options, bool dryRun, CancellationToken ct)
    {
        var user = CurrentUser.From(request.HttpContext.User);
        if (!request.HasFormContentType) return FileRefused(400, "请以 multipart/form-data 上传文件（字段名 file） / upload the file as multipart/form-data, part \"file\"");
        if (request.ContentLength > options.MaxFileBytes) return FileRefused(413, $"文件超过 {options.MaxFileBytes / 1024 / 1024} MB / file too large");
        var form = await request.ReadFormAsync(ct);
        IReadOnlyList<ImportChoice> choices = [];
        if (form["choices"].ToString() is { Length: > 0 } json)
        {
            try
            {
                choices = JsonSerializer.Deserialize<List<ImportChoice>>(json, JsonSerializerOptions.Web) ?? [];
            }
            catch (JsonException)
            {
                return FileRefused(400, "choices 应为 JSON 数组：[{\"cell\":\"E5\",\"name\":\"县直相关部门\",\"units\":[\"czj\"]}] / choices must be a JSON array");
            }
        }
        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null && Guid.TryParse(form["uploadId"].ToString(), out var uploadId))
            return await imports.FromUploadAsync(campaignId, uploadId, user, new ImportRunOptions(dryRun, choices), ct);
        if (file is null) return FileRefused(400, "没有收到文件：请在字段 file 中上传 .xlsx、.xls、.docx 或 .csv 文件 / no file in part \"file\"");
        if (file.Length > options.MaxFileBytes) return FileRefused(413, $"文件超过 {options.MaxFileBytes / 1024 / 1024} MB / file too large");
        await using var stream = file.OpenReadStream();
        return await imports.RunAsync(campaignId, new ImportFile(file.FileName, stream), user, new ImportRunOptions(dryRun, choices), ct);
    }

    /// <summary>Units with their kinds, the unit groups and the unit aliases, as the importer resolves names against them.</summary>
    internal static async Task<UnitDirectory> UnitDirectoryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var units = await connection.QueryAsync<(string Code, string Name, string Kind)>(new CommandDefinition("select code, name, kind from units order by code", cancellationToken: ct));
        var groups = await UnitGroupQueries.ListAsync(connection, ct);
        var aliases = await UnitGroupQueries.ListAliasesAsync(connection, ct);
        return new UnitDirectory(units, groups.Select(g => (g.Name, g.Aliases, g.Units)), aliases.Select(a => (a.Alias, a.UnitCode)));
    }

    public static FileContentHttpResult Template() =>
        TypedResults.File(ImportTemplate.Build(), ImportTemplate.ContentType, "问题清单导入模板.xlsx");

    private static ProblemHttpResult Problem(ImportRefused refused) =>
        TypedResults.Problem(statusCode: refused.Status, title: refused.Title, detail: refused.Detail,
            extensions: new Dictionary<string, object?> { ["imported"] = 0, ["errors"] = refused.Errors });

    private static ImportRefused FileRefused(int status, string message) =>
        new(status, "无法读取上传的文件 / Unreadable file", message, [new ImportError(0, "file", null, message)]);
}
