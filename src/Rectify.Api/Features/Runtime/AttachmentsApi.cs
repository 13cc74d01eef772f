using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Runtime;

public sealed record AttachmentDto(Guid Id, string FileName, long Size, string Sha256, string? ContentType = null, DateTimeOffset? UploadedAt = null, string? UploadedBy = null);

/// <summary>Evidence files: uploaded to an item (or a deliverable, through DeliverablesApi), listed and downloaded.</summary>
public static class AttachmentsApi
{
    public static IEndpointRouteBuilder MapAttachmentsApi(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/items/{id:guid}").WithTags("Items").RequireAuthorization();
        items.MapPost("/attachments", UploadItemAttachments).DisableAntiforgery();
        items.MapGet("/attachments", ListItemAttachments);
        app.MapGet("/api/attachments/{id:guid}", DownloadAttachment).WithTags("Items").RequireAuthorization();
        return app;
    }

    /// <summary>Evidence for an item: anyone who plays a role on it (its units, the offices, the administrator) may upload.</summary>
    public static async Task<IResult> UploadItemAttachments(Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var item = await ItemQueries.FindRowAsync(connection, id, user, ct);
        if (item is null) return Problems.NotFound("问题");
        if (ActorRoles.Of(ItemAllowedEvents.Actor(user), item.Facts).Count == 0)
            return Problems.Forbidden("只有该问题的责任单位、领导小组办公室或督查室可以上传佐证材料 / not allowed to upload for this item");
        return await StoreAttachmentsAsync(http, connection, user, id, null, clock.GetUtcNow(), ct);
    }

    public static async Task<Results<Ok<IReadOnlyList<AttachmentDto>>, ProblemHttpResult>> ListItemAttachments(Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await ItemQueries.FindRowAsync(connection, id, user, ct) is null) return Problems.NotFound("问题");
        return TypedResults.Ok(await ItemQueries.AttachmentsAsync(connection, id, ct));
    }

    /// <summary>
    /// Downloads a file the caller may see (through its item or deliverable). With <c>inline=true</c> an image or a PDF is
    /// served to be shown in place (issue 13: evidence opened on the decision screen): <c>Content-Disposition: inline</c>,
    /// and it may be framed by the app's own pages only (SecurityHeaders). Any other type stays a download.
    /// </summary>
    public static async Task<IResult> DownloadAttachment(Guid id, HttpContext http, NpgsqlDataSource db, CancellationToken ct, bool? inline = null)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        const string sql = $"""
            select a.file_name, a.content_type, a.content from attachments a
            left join items i on i.id = a.item_id
            left join deliverables d on d.id = a.deliverable_id
            join campaigns c on c.id = coalesce(i.campaign_id, d.campaign_id)
            where a.id = @id and ({Access.ItemVisible} or (@role = 'unit' and d.unit_code = @unit))
            """;
        var file = await connection.QuerySingleOrDefaultAsync<(string FileName, string ContentType, byte[] Content)?>(new CommandDefinition(sql,
            new { id, role = user.Role, unit = user.UnitCode }, cancellationToken: ct));
        if (file is not { } f) return Problems.NotFound("附件");
        if (inline == true && EvidenceFiles.OpensInPlace(f.ContentType))
        {
            Rectify.Api.Security.SecurityHeaders.AllowFramingBySelf(http);
            var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("inline");
            disposition.SetHttpFileName(SafeText.Strip(f.FileName));
            http.Response.Headers.ContentDisposition = disposition.ToString();
            return TypedResults.File(f.Content, f.ContentType);
        }
        return TypedResults.File(f.Content, f.ContentType, SafeText.Strip(f.FileName));
    }

    internal static async Task<IResult> StoreAttachmentsAsync(
        HttpContext http, NpgsqlConnection connection, CurrentUser user, Guid? itemId, Guid? deliverableId, DateTimeOffset now, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
            return Problems.Invalid(new Dictionary<string, string[]> { ["file"] = ["请以 multipart/form-data 上传，字段名为 file / upload as multipart/form-data, part name file"] });
        var form = await http.Request.ReadFormAsync(ct);
        var files = form.Files.GetFiles("file");
        var v = new Validator();
        if (files.Count == 0) v.Add("file", "请至少上传一个文件（字段名 file）/ at least one part named file is required");
        if (files.Count > EvidenceFiles.MaxFilesPerRequest) v.Add("file", $"一次最多上传 {EvidenceFiles.MaxFilesPerRequest} 个文件 / at most {EvidenceFiles.MaxFilesPerRequest} files");
        var accepted = new List<(IFormFile File, string Name, string ContentType, byte[] Bytes)>();
        for (var n = 0; n < files.Count && v.IsValid; n++)
        {
            var file = files[n];
            var field = files.Count == 1 ? "file" : $"file[{n}]";
            if (file.Length == 0) { v.Add(field, "文件为空 / the file is empty"); continue; }
            if (file.Length > EvidenceFiles.MaxBytes) { v.Add(field, $"文件不能超过 {EvidenceFiles.MaxBytes / 1024 / 1024} MB / at most {EvidenceFiles.MaxBytes / 1024 / 1024} MB"); continue; }
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var bytes = buffer.ToArray();
            // A bidi control or zero-width character in a name shows another name than the real one (U+202E makes
            // "fdp.exe" read "exe.pdf"): refused, like in every other text (SafeText).
            if (SafeText.Problem(file.FileName ?? "") is { } nameProblem) { v.Add(field, "文件名" + nameProblem); continue; }
            var name = EvidenceFiles.SafeName(file.FileName);
            var (contentType, error) = EvidenceFiles.Classify(name, bytes.AsSpan(0, Math.Min(bytes.Length, 4096)));
            if (error is not null) { v.Add(field, error); continue; }
            accepted.Add((file, name, contentType!, bytes));
        }
        if (!v.IsValid) return Problems.Invalid(v.Errors);

        var results = new List<AttachmentDto>();
        await using var tx = await connection.BeginTransactionAsync(ct);
        // A closed campaign is an archive (issue 13.6): its evidence is what it was when it closed. FOR SHARE, so a close
        // in flight finishes first (it takes the campaign row FOR UPDATE).
        var campaign = await connection.QuerySingleOrDefaultAsync<(string Title, string State)?>(new CommandDefinition("""
            select c.title, c.state from campaigns c
            where c.id = coalesce((select campaign_id from items where id = @itemId), (select campaign_id from deliverables where id = @deliverableId))
            for share of c
            """, new { itemId, deliverableId }, tx, cancellationToken: ct));
        if (campaign is { State: CampaignStates.Closed } closed)
            return Problems.Unprocessable($"整改工作“{closed.Title}”已结束归档，不能再上传材料 / the campaign is closed and read-only", "file");
        foreach (var (_, name, contentType, bytes) in accepted)
        {
            var dto = new AttachmentDto(Guid.CreateVersion7(now), name, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            const string sql = """
                insert into attachments(id, item_id, deliverable_id, file_name, content_type, size, sha256, content, uploaded_by, uploaded_at)
                values (@Id, @itemId, @deliverableId, @FileName, @contentType, @Size, @Sha256, @bytes, @by, @now)
                """;
            await connection.ExecuteAsync(new CommandDefinition(sql, new { dto.Id, itemId, deliverableId, dto.FileName, contentType, dto.Size, dto.Sha256, bytes, by = user.UserName, now },
                tx, cancellationToken: ct));
            results.Add(dto);
        }
        await tx.CommitAsync(ct);
        return results.Count == 1 ? TypedResults.Ok(results[0]) : TypedResults.Ok(results);
    }
}
