using System.Security.Cryptography;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Runtime;

namespace Rectify.Api.Features.Runtime;

/// <summary>What evidence is uploaded to: an item or a deliverable.</summary>
public sealed record EvidenceOwner(Guid? ItemId, Guid? DeliverableId);

/// <summary>
/// The uploads of evidence (佐证材料) that the API (<c>POST /api/items/{id}/attachments</c>, and the deliverables' through
/// <c>DeliverableCommands</c>) and the item and deliverable screens share (issue 18: pages call commands, not endpoint
/// handlers): the files checked (count, size, name, content against extension), stored in one transaction, and
/// refused with the same problem details (400 with the field of the file, in Chinese first).
/// </summary>
public static class AttachmentCommands
{
    /// <summary>Evidence for an item: anyone who plays a role on it (its units, the offices, the administrator) may upload.
    /// 404 when not visible, 403 for anyone else, 400 for a bad file, 422 when the campaign is closed.</summary>
    public static async Task<Outcome<AttachmentDto[]>> UploadToItemAsync(
        NpgsqlDataSource db, TimeProvider clock, Guid itemId, UploadedFiles files, CurrentUser actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var item = await ItemQueries.FindRowAsync(connection, itemId, actor, ct);
        if (item is null) return Refusal.NotFound("问题");
        if (ActorRoles.Of(ItemAllowedEvents.Actor(actor), item.Facts).Count == 0)
            return Refusal.Forbidden("只有该问题的责任单位、领导小组办公室或督查室可以上传佐证材料 / not allowed to upload for this item");
        return await StoreAsync(connection, files, new EvidenceOwner(itemId, null), actor, clock.GetUtcNow(), ct);
    }

    /// <summary>Checks and stores the files of an upload for <paramref name="owner"/> (the caller has checked that
    /// <paramref name="actor"/> may upload there).</summary>
    internal static async Task<Outcome<AttachmentDto[]>> StoreAsync(
        NpgsqlConnection connection, UploadedFiles upload, EvidenceOwner owner, CurrentUser actor, DateTimeOffset now, CancellationToken ct)
    {
        var files = await upload.ReadAsync(ct);
        if (files is null)
        {
            return Refusal.Invalid(new Dictionary<string, string[]>
            {
                ["file"] = ["请以 multipart/form-data 上传，字段名为 file / upload as multipart/form-data, part name file"],
            });
        }
        var v = new Validator();
        if (files.Count == 0) v.Add("file", "请至少上传一个文件（字段名 file）/ at least one part named file is required");
        if (files.Count > EvidenceFiles.MaxFilesPerRequest)
            v.Add("file", $"一次最多上传 {EvidenceFiles.MaxFilesPerRequest} 个文件 / at most {EvidenceFiles.MaxFilesPerRequest} files");
        var accepted = new List<(IFormFile File, string Name, string ContentType, byte[] Bytes)>();
        for (var n = 0; n < files.Count && v.IsValid; n++)
        {
            var file = files[n];
            var field = files.Count == 1 ? "file" : $"file[{n}]";
            if (file.Length == 0) { v.Add(field, "文件为空 / the file is empty"); continue; }
            if (file.Length > EvidenceFiles.MaxBytes)
            {
                const long megabytes = EvidenceFiles.MaxBytes / 1024 / 1024;
                v.Add(field, $"文件不能超过 {megabytes} MB / at most {megabytes} MB");
                continue;
            }
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
        if (!v.IsValid) return Refusal.Invalid(v.Errors);

        var (itemId, deliverableId) = owner;
        var results = new List<AttachmentDto>();
        await using var tx = await connection.BeginTransactionAsync(ct);
        // A closed campaign is an archive (issue 13.6): its evidence is what it was when it closed. FOR SHARE, so a close
        // in flight finishes first (it takes the campaign row FOR UPDATE).
        var campaign = await connection.QuerySingleOrDefaultAsync<(string Title, string State)?>(new CommandDefinition("""
            select c.title, c.state from campaigns c
            where c.id = coalesce((select campaign_id from items where id = @itemId),
                                  (select campaign_id from deliverables where id = @deliverableId))
            for share of c
            """, new { itemId, deliverableId }, tx, cancellationToken: ct));
        if (campaign is { State: CampaignStates.Closed } closed)
            return Refusal.Unprocessable($"整改工作“{closed.Title}”已结束归档，不能再上传材料 / the campaign is closed and read-only", "file");
        foreach (var (_, name, contentType, bytes) in accepted)
        {
            var dto = new AttachmentDto(Guid.CreateVersion7(now), name, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            const string sql = """
                insert into attachments(id, item_id, deliverable_id, file_name, content_type, size, sha256, content, uploaded_by,
                                        uploaded_at)
                values (@Id, @itemId, @deliverableId, @FileName, @contentType, @Size, @Sha256, @bytes, @by, @now)
                """;
            var row = new
            {
                dto.Id, itemId, deliverableId, dto.FileName, contentType, dto.Size, dto.Sha256, bytes, by = actor.UserName, now,
            };
            await connection.ExecuteAsync(new CommandDefinition(sql, row, tx, cancellationToken: ct));
            results.Add(dto);
        }
        await tx.CommitAsync(ct);
        return results.ToArray();
    }
}
