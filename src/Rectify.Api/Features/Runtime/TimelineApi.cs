using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Runtime;

public sealed record TimelineNotification(long Id, string Kind, string? Level, Guid? PersonId, string? PersonName, string Channel, string Status, DateTimeOffset NotBefore, DateTimeOffset? SentAt);

/// <summary>
/// One journal entry; <c>at</c> is in the campaign's local time (with its offset). <c>title</c> / <c>titleEn</c> say what
/// happened in words; <c>bookkeeping</c> marks system entries (skipped or superseded steps) a person sees folded.
/// </summary>
public sealed record TimelineEntry(
    long Id, DateTimeOffset At, string Actor, string Type, string? FromState, string? ToState, string? Note, JsonElement Data,
    IReadOnlyList<TimelineNotification> Notifications, string Title = "", string TitleEn = "", bool Bookkeeping = false);

public static partial class RuntimeApi
{
    private sealed record JournalRow(long Id, DateTime At, string Actor, string Type, string? FromState, string? ToState, string? Note, string? SubjectKey, string Data);

    private sealed record OutboxRow(long Id, string IdempotencyKey, string Kind, string? Level, Guid? PersonId, string? PersonName, string Channel, string Status, DateTime NotBefore, DateTime? SentAt);

    /// <summary>
    /// Every event and every fired or skipped timer of the item in the order they were written (the journal's sequence,
    /// issue 14 §7: not the clock reads, which two nodes or a clock move can give out of order), each with the outbox rows
    /// it caused and its words.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<TimelineEntry>>, ProblemHttpResult>> Timeline(
        Guid id, HttpContext http, NpgsqlDataSource db, DefinitionStore definitions, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        await using var connection = await db.OpenConnectionAsync(ct);
        var item = await ItemsApi.FindRowAsync(connection, id, user, ct);
        if (item is null) return Problems.NotFound("问题");
        const string sql = """
            select id, at, actor, type, from_state as FromState, to_state as ToState, note, subject_key as SubjectKey, data::text as Data
            from journal where item_id = @id order by id;
            select o.id, o.idempotency_key as IdempotencyKey, o.kind, o.level, o.recipient_person_id as PersonId, p.name as PersonName,
                   o.channel, o.status, o.not_before as NotBefore, o.sent_at as SentAt
            from outbox o left join people p on p.id = o.recipient_person_id where o.item_id = @id order by o.id;
            """;
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        var journal = (await grid.ReadAsync<JournalRow>()).ToList();
        var outbox = (await grid.ReadAsync<OutboxRow>()).ToList();
        var zone = LocalTime.Zone(item.TimeZone);
        var definition = (await definitions.GetAsync(connection, item.WorkflowId, item.WorkflowVersion, ct))?.Definition;
        static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
        var entries = journal.Select(j =>
        {
            var prefix = j.SubjectKey is null ? null : j.SubjectKey + ":";
            var notifications = prefix is null ? [] : outbox.Where(o => o.IdempotencyKey.StartsWith(prefix, StringComparison.Ordinal))
                .Select(o => new TimelineNotification(o.Id, o.Kind, o.Level, o.PersonId, o.PersonName, o.Channel, o.Status,
                    LocalTime.InZone(Utc(o.NotBefore), zone), o.SentAt is { } s ? LocalTime.InZone(Utc(s), zone) : null)).ToList();
            using var data = JsonDocument.Parse(j.Data);
            var words = TimelineWords.Describe(j.Type, data.RootElement, definition, zone);
            return new TimelineEntry(j.Id, LocalTime.InZone(Utc(j.At), zone), j.Actor, j.Type, j.FromState, j.ToState, j.Note, data.RootElement.Clone(), notifications,
                words.Zh, words.En, words.Bookkeeping);
        }).ToList();
        return TypedResults.Ok<IReadOnlyList<TimelineEntry>>(entries);
    }
}
