using System.Data;
using Dapper;
using Npgsql;

namespace Rectify.Api.Jobs;

/// <summary>
/// A failure that is the person's to fix (a campaign gone, an account disabled, rows with errors): shown to them, never
/// retried. <see cref="Summary"/> (an import's errors) is kept on the task.
/// </summary>
public sealed class BackgroundTaskProblem(string message, object? summary = null) : Exception(message)
{
    public object? Summary { get; } = summary;
}

/// <summary>
/// Where a background task's file goes (migration 0920): a temporary file while the job writes it, then chunks of
/// <c>background_task_chunks</c> written in the transaction that marks the task succeeded, read back in order by the
/// download. Memory stays at one chunk whatever the file's size; a job that ran before (a crash after some chunks, a
/// requeue) leaves nothing behind, because its chunks are replaced in that same transaction.
/// </summary>
public static class TaskResults
{
    public const int ChunkSize = 4 * 1024 * 1024;

    /// <summary>A temporary file deleted when closed (the job's scratch space; nothing of it outlives the job).</summary>
    public static FileStream TemporaryFile() => new(
        Path.Combine(Path.GetTempPath(), $"rectify-task-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
        bufferSize: 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    /// <summary>Stores <paramref name="file"/> (from its start) as the task's result and marks the task succeeded, in one transaction.</summary>
    public static async Task SucceedAsync(
        NpgsqlConnection connection, Guid taskId, string name, string type, Stream file, DateTimeOffset now, CancellationToken ct)
    {
        await file.FlushAsync(ct);
        file.Position = 0;
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from background_task_chunks where task_id = @taskId", new { taskId }, tx, cancellationToken: ct));
        var buffer = new byte[ChunkSize];
        var seq = 0;
        long size = 0;
        while (true)
        {
            var n = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (n == 0) break;
            var data = n == buffer.Length ? buffer : buffer[..n];
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into background_task_chunks(task_id, seq, data) values (@taskId, @seq, @data)", new { taskId, seq, data }, tx, cancellationToken: ct));
            seq++;
            size += n;
            if (n < buffer.Length) break;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            update background_tasks set state = 'succeeded', progress = coalesce(total, progress), result_name = @name, result_type = @type,
                   result = null, result_size = @size, finished_at = @now, updated_at = @now
            where id = @taskId
            """, new { taskId, name, type, size, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Writes the task's chunks to <paramref name="output"/> in order, one chunk in memory at a time.</summary>
    public static async Task CopyAsync(NpgsqlDataSource db, Guid taskId, Stream output, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("select data from background_task_chunks where task_id = @taskId order by seq", connection);
        command.Parameters.AddWithValue("taskId", taskId);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            await using var chunk = await reader.GetStreamAsync(0, ct);
            await chunk.CopyToAsync(output, ct);
        }
    }
}
