using Dapper;
using Npgsql;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// Draws the id of a journal row before it is written. The journal is append-only (migration 0502), so whatever
/// refers to the row's own id — the subject key of the messages it causes — must be known when it is inserted.
/// </summary>
public static class JournalIds
{
    public static Task<long> NextAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select nextval(pg_get_serial_sequence('journal', 'id'))", transaction: tx, cancellationToken: ct));
}
