using Dapper;
using Npgsql;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// PostgreSQL compiles a statement whose plan costs more than <c>jit_above_cost</c> (JIT): on a statement over every
/// item or assignment of a large campaign that took seconds before the first row on the scale bench, more than it saves.
/// Off for what runs until this is disposed: a session setting (so it also works inside a caller's transaction), reset
/// afterwards. In a transaction that failed meanwhile the reset is left to its rollback, which undoes the setting.
/// </summary>
internal sealed class NoJit : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;

    private NoJit(NpgsqlConnection connection) => this.connection = connection;

    public static async Task<NoJit> OffAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("set jit = off", cancellationToken: ct));
        return new NoJit(connection);
    }

    public async ValueTask DisposeAsync()
    {
        if (connection.FullState != System.Data.ConnectionState.Open) return;
        try
        {
            await connection.ExecuteAsync("reset jit");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InFailedSqlTransaction)
        {
            // The caller's transaction failed: its rollback undoes the setting.
        }
    }
}
