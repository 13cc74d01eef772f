using System.Data;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Documents;
using Rectify.Api.Infrastructure;
using Rectify.Notifications.Letters;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Jobs;

/// <summary>One line of the archive's manifest (目录.csv, manifest.json).</summary>
public sealed record ArchiveEntry(
    string Path, string Kind, string? ItemNumber, string? ItemTitle, string? Unit, string? OriginalName, long Size, string Sha256,
    string? UploadedBy, DateTimeOffset? UploadedAt);

/// <summary>
/// A campaign as one .zip (issue 13.6, built by a background task, issue 16.2): the ledger (.xlsx), the final report
/// (.docx, the copy kept when the campaign closed), the supervision letters issued, every evidence file of its items and
/// every file its units handed in, under readable Chinese names, and a manifest with each file's size and SHA-256.
/// Entries are written one at a time into the task's temporary file (evidence streamed from the database), so memory
/// stays small whatever the archive's size. Names are UTF-8 with the zip's language-encoding flag set, so Windows'
/// Explorer and 7-Zip show them in Chinese.
/// </summary>
public sealed class CampaignArchive(NpgsqlDataSource db, DefinitionStore definitions, SupervisionLetters letters, TimeProvider clock)
{
    public const string ContentType = "application/zip";

    private sealed record EvidenceRow(
        Guid Id, string FileName, string ContentType, long Size, string Sha256, string? UploadedBy, DateTimeOffset UploadedAt,
        string? ItemNumber, string? ItemTitle, int? ItemSeq, string? DeliverableKind, string? DeliverableUnit);

    /// <summary>Writes the archive of <paramref name="campaignId"/> as <paramref name="user"/> sees it; returns the file name.</summary>
    public async Task<string> WriteAsync(Guid campaignId, CurrentUser user, Stream output, Action<int, int> progress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        var campaign = await CampaignQueries.FindVisibleAsync(connection, campaignId, user, now, ct)
            ?? throw new BackgroundTaskProblem("整改工作不存在或无权查看 / the campaign does not exist or is not visible");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(campaign.TimeZone);
        var today = ItemStatus.LocalToday(now, campaign.TimeZone);
        var evidence = (await connection.QueryAsync<EvidenceRow>(new CommandDefinition(EvidenceSql,
            new { campaignId, role = user.Role, unit = user.UnitCode }, cancellationToken: ct))).ToList();
        var letterIds = (await connection.QueryAsync<Guid>(new CommandDefinition("""
            select l.escalation_id from supervision_letters l join escalations e on e.id = l.escalation_id
            where e.campaign_id = @campaignId order by l.created_at, l.escalation_id
            """, new { campaignId }, cancellationToken: ct))).ToList();
        var definition = (await definitions.GetAsync(connection, campaign.Workflow.Id!, campaign.Workflow.Version!.Value, ct))?.Definition;
        var deliverableNames = definition?.DeliverableList.ToDictionary(d => d.Key, d => d.Name) ?? [];

        var total = 3 + letterIds.Count + evidence.Count;
        var done = 0;
        progress(done, total);
        var root = ArchiveNames.Segment($"{campaign.Title}归档_{today:yyyyMMdd}", 60);
        var names = new ArchiveNames();
        var manifest = new List<ArchiveEntry>();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: new UTF8Encoding(false)))
        {
            var ledgerFile = new LedgerApi.LedgerFile(campaignId, user, ItemFilters.None, now);
            var ledger = (await LedgerApi.BuildAsync(connection, definitions, ledgerFile, null, ct))!.Value;
            manifest.Add(Add(zip, names.Unique($"{root}/台账/{ArchiveNames.Segment(ledger.FileName, 120)}"), "整改台账", ledger.Bytes, now, zone));
            progress(++done, total);

            var (reportName, report, reportKind) = await FinalReportAsync(connection, campaign, user, today, now, ct);
            manifest.Add(Add(zip, names.Unique($"{root}/报告/{ArchiveNames.Segment(reportName, 120)}"), reportKind, report, now, zone));
            progress(++done, total);

            foreach (var escalationId in letterIds)
            {
                var letter = await letters.EnsureAsync(escalationId, null, null, now, withDocument: true, ct);
                if (letter?.Content is { } content)
                    manifest.Add(Add(zip, names.Unique($"{root}/督办函/{ArchiveNames.Segment(letter.FileName, 120)}"), $"督办函 {letter.Number}", content, now, zone));
                progress(++done, total);
            }

            foreach (var file in evidence)
            {
                var folder = file.ItemSeq is not null
                    ? $"佐证材料/{ArchiveNames.Segment($"{file.ItemNumber ?? file.ItemSeq.Value.ToString(CultureInfo.InvariantCulture)}_{file.ItemTitle}", 40)}"
                    : $"单位材料/{ArchiveNames.Segment(file.DeliverableUnit ?? "单位", 40)}/{ArchiveNames.Segment(deliverableNames.GetValueOrDefault(file.DeliverableKind ?? "") ?? file.DeliverableKind ?? "材料", 40)}";
                var path = names.Unique($"{root}/{folder}/{ArchiveNames.Segment(file.FileName, 120)}");
                var entry = await AddEvidenceAsync(connection, zip, path, file, zone, ct);
                if (entry is not null) manifest.Add(entry);
                progress(++done, total);
            }

            Add(zip, $"{root}/目录.csv", "目录", Csv(manifest, root, campaign, today), now, zone);
            Add(zip, $"{root}/manifest.json", "manifest", JsonSerializer.SerializeToUtf8Bytes(new
            {
                campaign = new { campaign.Id, campaign.Title, campaign.DocumentNumber, campaign.State, campaign.ClosedAt, campaign.ClosedBy, campaign.CloseNote },
                exportedAt = now, exportedBy = user.UserName,
                files = manifest.Select(m => m with { Path = m.Path[(root.Length + 1)..] }),
            }, ManifestJson), now, zone);
            progress(++done, total);
        }
        return LedgerApi.FileName(campaign.Title, "归档", today, "zip");
    }

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Every file of the campaign's items the caller may see, and (offices only) every file its units handed in.</summary>
    private const string EvidenceSql = $"""
        select a.id, a.file_name as FileName, a.content_type as ContentType, a.size, a.sha256, a.uploaded_by as UploadedBy, a.uploaded_at as UploadedAt,
               i.number as ItemNumber, i.title as ItemTitle, i.seq as ItemSeq, d.kind as DeliverableKind, coalesce(du.name, d.unit_code) as DeliverableUnit
        from attachments a
        left join items i on i.id = a.item_id
        left join deliverables d on d.id = a.deliverable_id
        left join units du on du.code = d.unit_code
        join campaigns c on c.id = coalesce(i.campaign_id, d.campaign_id)
        where c.id = @campaignId
          and ((a.item_id is not null and {Access.ItemVisible}) or (a.deliverable_id is not null and @role <> 'unit'))
        order by i.seq nulls last, du.name, d.kind, a.uploaded_at, a.id
        """;

    private async Task<(string Name, byte[] Content, string Kind)> FinalReportAsync(
        NpgsqlConnection connection, CampaignDto campaign, CurrentUser user, DateOnly today, DateTimeOffset now, CancellationToken ct)
    {
        if (await CampaignClosing.FinalReportAsync(connection, campaign.Id, ct) is { } kept) return (kept.Name, kept.Content, "整改情况报告（结束时留存）");
        var data = await ReportApi.LoadAsync(
            connection, definitions, new ReportApi.ReportRequest("final", campaign, user, today, today, now), ct);
        return (LedgerApi.FileName(campaign.Title, "整改情况报告", today, "docx"), ReportDocument.Build(data), "整改情况报告（导出时生成）");
    }

    private static ArchiveEntry Add(ZipArchive zip, string path, string kind, byte[] bytes, DateTimeOffset at, TimeZoneInfo zone)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = TimeZoneInfo.ConvertTime(at, zone);
        using (var target = entry.Open()) target.Write(bytes);
        return new ArchiveEntry(path, kind, null, null, null, null, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)), null, null);
    }

    /// <summary>Streams one stored file into the archive, hashing it on the way; null when it was deleted meanwhile.</summary>
    private static async Task<ArchiveEntry?> AddEvidenceAsync(
        NpgsqlConnection connection, ZipArchive zip, string path, EvidenceRow file, TimeZoneInfo zone, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select content from attachments where id = @id", connection);
        command.Parameters.AddWithValue("id", file.Id);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct)) return null;
        // Images, PDF and Office/zip files are compressed already: stored as they are, which costs no time.
        var packed = file.ContentType.StartsWith("image/", StringComparison.Ordinal) || file.ContentType is "application/pdf" or "application/zip" or "application/ofd"
            || file.ContentType.StartsWith("application/vnd.openxmlformats", StringComparison.Ordinal);
        var entry = zip.CreateEntry(path, packed ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
        entry.LastWriteTime = TimeZoneInfo.ConvertTime(file.UploadedAt, zone);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using (var source = await reader.GetStreamAsync(0, ct))
        await using (var target = entry.Open())
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await target.WriteAsync(buffer.AsMemory(0, n), ct);
                size += n;
            }
        }
        var unit = file.DeliverableUnit;
        return new ArchiveEntry(path, file.ItemSeq is null ? "单位报送材料" : "佐证材料", file.ItemNumber, file.ItemTitle, unit, file.FileName, size,
            Convert.ToHexStringLower(hash.GetHashAndReset()), file.UploadedBy, file.UploadedAt);
    }

    /// <summary>目录.csv: UTF-8 with a byte-order mark, so Excel opens the Chinese as Chinese.</summary>
    private static byte[] Csv(IReadOnlyList<ArchiveEntry> entries, string root, CampaignDto campaign, DateOnly today)
    {
        static string Cell(string? value) => value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
        var text = new StringBuilder();
        text.Append("序号,文件,类别,问题序号,问题,单位,原文件名,大小（字节）,SHA-256,上传人,上传时间\r\n");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(campaign.TimeZone);
        foreach (var (e, n) in entries.Select((e, n) => (e, n + 1)))
        {
            var at = e.UploadedAt is { } u ? TimeZoneInfo.ConvertTime(u, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
            text.Append(string.Join(',', new[]
            {
                n.ToString(CultureInfo.InvariantCulture), Cell(e.Path[(root.Length + 1)..]), Cell(e.Kind), Cell(e.ItemNumber), Cell(e.ItemTitle), Cell(e.Unit),
                Cell(e.OriginalName), e.Size.ToString(CultureInfo.InvariantCulture), e.Sha256, Cell(e.UploadedBy), at,
            })).Append("\r\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"\"{campaign.Title}，导出于{Labels.Date(today)}，共{entries.Count}个文件\"\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    /// <summary>POST /api/campaigns/{id}/archive/export: the archive as a background task → 202 with the task to watch.</summary>
    public static async Task<Results<Accepted<BackgroundTaskDto>, ProblemHttpResult>> StartExport(
        Guid campaignId, HttpContext http, NpgsqlDataSource db, TimeProvider clock, BackgroundTasks store, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user.IsUnit)
            return Problems.Forbidden("归档包含整改工作的全部材料，只能由领导小组办公室、督查室或管理员导出 / only the offices or an administrator may export the archive");
        CampaignDto? campaign;
        await using (var connection = await db.OpenConnectionAsync(ct))
            campaign = await CampaignQueries.FindVisibleAsync(connection, campaignId, user, clock.GetUtcNow(), ct);
        if (campaign is null) return Problems.NotFound("整改工作");
        var id = await store.StartAsync(TaskKinds.ArchiveExport, $"导出归档包：{campaign.Title}", user.Id, campaignId, new { }, ct);
        return TypedResults.Accepted($"/api/tasks/{id}", (await store.FindAsync(id, user, ct))!);
    }
}

/// <summary>Entry names of an archive: path segments without characters Windows refuses, each path used once.</summary>
public sealed class ArchiveNames
{
    private readonly HashSet<string> used = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A path segment Windows, macOS and Linux all accept: no separators, reserved or control characters, no trailing dot.</summary>
    public static string Segment(string? raw, int maxLength)
    {
        var text = new string((raw ?? "").Select(c => char.IsControl(c) || "\\/:*?\"<>|".Contains(c) ? '_' : c).ToArray()).Trim().Trim('.').Trim();
        if (text.Length == 0) text = "_";
        if (text.Length > maxLength)
        {
            var extension = Path.GetExtension(text);
            text = extension.Length is > 0 and <= 10 ? text[..(maxLength - extension.Length)] + extension : text[..maxLength];
        }
        return text;
    }

    /// <summary>The path itself, or with （2）, （3）… before the extension when another entry has it already.</summary>
    public string Unique(string path)
    {
        if (used.Add(path)) return path;
        var directory = path[..(path.LastIndexOf('/') + 1)];
        var file = path[directory.Length..];
        var extension = Path.GetExtension(file);
        var stem = file[..^extension.Length];
        for (var n = 2; ; n++)
        {
            var candidate = $"{directory}{stem}（{n}）{extension}";
            if (used.Add(candidate)) return candidate;
        }
    }
}
