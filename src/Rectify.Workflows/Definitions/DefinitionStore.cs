using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Rectify.Workflows.Definitions;

/// <summary>A published version of a definition.</summary>
public sealed record PublishedDefinition(string Id, int Version, string Name, DateTimeOffset PublishedAt, WorkflowDefinition Definition, string Json);

public sealed record DefinitionSummary(string Id, int LatestVersion, string Name, DateTimeOffset PublishedAt, int Versions);

/// <summary>The result of publishing: the version now current, and whether it is new.</summary>
public sealed record PublishResult(PublishedDefinition? Published, bool Created, IReadOnlyList<SchemaError> Errors);

/// <summary>
/// Versioned definitions in <c>workflow_definitions</c>. A version never changes once published, so parsed versions are
/// cached for the life of the process; a running campaign keeps the version it launched with.
/// </summary>
public sealed class DefinitionStore(NpgsqlDataSource db, DefinitionValidator validator)
{
    private readonly ConcurrentDictionary<(string, int), PublishedDefinition> cache = new();

    private sealed record Row(string Id, int Version, string Name, DateTime PublishedAt, string Definition);

    public DefinitionValidator Validator => validator;

    public async Task<PublishedDefinition?> GetAsync(NpgsqlConnection connection, string id, int version, CancellationToken ct)
    {
        if (cache.TryGetValue((id, version), out var cached)) return cached;
        const string sql = """
            select id, version, name, published_at as PublishedAt, definition::text as Definition
            from workflow_definitions where id = @id and version = @version
            """;
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id, version }, cancellationToken: ct));
        return row is null ? null : Remember(row);
    }

    public async Task<PublishedDefinition?> GetAsync(string id, int? version, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var resolved = version ?? await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select max(version) from workflow_definitions where id = @id", new { id }, cancellationToken: ct));
        return resolved is { } v ? await GetAsync(connection, id, v, ct) : null;
    }

    public async Task<IReadOnlyList<DefinitionSummary>> ListAsync(CancellationToken ct)
    {
        const string sql = """
            select distinct on (id) id, version as LatestVersion, name, published_at as PublishedAt,
                   (count(*) over (partition by id))::int as Versions
            from workflow_definitions order by id, version desc
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Id, int LatestVersion, string Name, DateTime PublishedAt, int Versions)>(new CommandDefinition(sql, cancellationToken: ct));
        return rows.Select(r => new DefinitionSummary(r.Id, r.LatestVersion, r.Name, new DateTimeOffset(r.PublishedAt, TimeSpan.Zero), r.Versions)).ToList();
    }

    /// <summary>
    /// Validates and publishes <paramref name="json"/> as the next version of its id. Identical content (as jsonb) to
    /// the latest version publishes nothing and returns that version, so restarts and repeated uploads are harmless.
    /// </summary>
    public async Task<PublishResult> PublishAsync(string json, DateTimeOffset now, CancellationToken ct)
    {
        var check = validator.Check(json);
        if (!check.IsValid) return new PublishResult(null, false, check.Errors);
        var definition = check.Definition!;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Serialises publishers of one id, so two nodes starting at once cannot both take version n+1.
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(hashtext('workflow:' || @id))",
            new { id = definition.Id }, tx, cancellationToken: ct));
        const string latest = """
            select version, definition = @json::jsonb as same from workflow_definitions
            where id = @id order by version desc limit 1
            """;
        var current = await connection.QuerySingleOrDefaultAsync<(int Version, bool Same)?>(new CommandDefinition(latest,
            new { id = definition.Id, json = check.Json }, tx, cancellationToken: ct));
        if (current is { Same: true } same)
        {
            await tx.CommitAsync(ct);
            return new PublishResult(await GetAsync(connection, definition.Id, same.Version, ct), false, []);
        }
        var version = (current?.Version ?? 0) + 1;
        const string insert = """
            insert into workflow_definitions(id, version, name, definition, published_at)
            values (@id, @version, @name, @json::jsonb, @now)
            """;
        await connection.ExecuteAsync(new CommandDefinition(insert,
            new { id = definition.Id, version, name = definition.Name, json = check.Json, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new PublishResult(await GetAsync(connection, definition.Id, version, ct), true, []);
    }

    private PublishedDefinition Remember(Row row)
    {
        var definition = JsonSerializer.Deserialize<WorkflowDefinition>(row.Definition, WorkflowDefinition.Json)!;
        var published = new PublishedDefinition(row.Id, row.Version, row.Name, new DateTimeOffset(row.PublishedAt, TimeSpan.Zero), definition, row.Definition);
        return cache.GetOrAdd((row.Id, row.Version), published);
    }
}
