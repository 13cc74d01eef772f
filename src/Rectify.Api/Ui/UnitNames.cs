using Dapper;
using Npgsql;

namespace Rectify.Api.Ui;

/// <summary>Unit code → name, read once per request (a county has tens of units).</summary>
public sealed class UnitNames(NpgsqlDataSource db)
{
    private Dictionary<string, string>? names;

    public async Task<IReadOnlyDictionary<string, string>> AllAsync(CancellationToken ct)
    {
        if (names is not null) return names;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition("select code, name from units order by code", cancellationToken: ct));
        names = rows.ToDictionary(r => r.Code, r => r.Name, StringComparer.Ordinal);
        return names;
    }

    /// <summary>The name, or the code itself when the name is not loaded or unknown.</summary>
    public string Of(string? code) => code is null ? "" : names is not null && names.TryGetValue(code, out var n) ? n : code;
}
