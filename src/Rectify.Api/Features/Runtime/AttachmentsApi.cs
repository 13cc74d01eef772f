using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Runtime;

public sealed record AttachmentDto(Guid Id, string FileName, long Size, string Sha256, string? ContentType = null, DateTimeOffset? UploadedAt = null, string? UploadedBy = null);

/// <summary>Evidence files: uploaded to an item (or a deliverable, through DeliverablesApi: <see cref="AttachmentCommands"/>), listed and downloaded.</summary>
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
    public static async Task<IResult> UploadItemAttachments(
        Guid id, HttpContext http, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct) =>
        Answer(await AttachmentCommands.UploadToItemAsync(
            db, clock, id, UploadedFiles.From(http.Request), CurrentUser.From(http.User), ct));

    /// <summary>The answer of an upload: the file (one sent) or the files, else the refusal's problem.</summary>
    internal static IResult Answer(Outcome<AttachmentDto[]> outcome)
    {
        if (outcome.IsRefused) return outcome.Refusal.ToResult<Ok<AttachmentDto>>();
        return outcome.Value.Length == 1 ? TypedResults.Ok(outcome.Value[0]) : (IResult)TypedResults.Ok(outcome.Value);
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
}
