using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Rectify.Api.Pages.Admin;

public sealed record DeadLetter(long Id, string Kind, string? RecipientName, string Channel, int Attempts, DateTime CreatedAt, string? LastError);

/// <summary>The outbox as an operator sees it: counts by status and the dead letters.</summary>
public sealed class OutboxModel(NpgsqlDataSource db) : PageModel
{
    public IReadOnlyDictionary<string, long> Counts { get; private set; } = new Dictionary<string, long>();
    public IReadOnlyList<DeadLetter> Dead { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        Counts = (await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "select status, count(*) from outbox group by status", cancellationToken: ct))).ToDictionary(r => r.Status, r => r.Count);
        Dead = (await connection.QueryAsync<DeadLetter>(new CommandDefinition("""
            select o.id, o.kind, p.name as RecipientName, o.channel, o.attempts, o.created_at as CreatedAt, o.last_error as LastError
            from outbox o left join people p on p.id = o.recipient_person_id
            where o.status = 'dead' order by o.created_at desc limit 100
            """, cancellationToken: ct))).ToList();
    }
}
