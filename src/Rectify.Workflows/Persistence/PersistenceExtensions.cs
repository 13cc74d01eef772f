using System.Data;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Rectify.Workflows.Persistence;

public static class PersistenceExtensions
{
    /// <summary>Registers the one <see cref="NpgsqlDataSource"/> of the process and the migration runner.</summary>
    public static IServiceCollection AddRectifyPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        DapperTypeHandlers.Register();
        var connectionString = configuration.GetConnectionString("Rectify")
            ?? throw new InvalidOperationException(
                "ConnectionStrings__Rectify is not set. Start the service with ./rectify.sh run, which starts a local PostgreSQL, or set the variable.");
        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "rectify";
            // PostgreSQL compiles a statement whose estimated cost is above jit_above_cost (JIT): on a statement over
            // every item or assignment of a million-item campaign that took seconds before the first row on the scale
            // bench (issue 17), more than it ever saved. Off for every connection of the service (a session option set at
            // connect, so no round trip), unless the operator's connection string says otherwise.
            var options = builder.ConnectionStringBuilder.Options;
            if (options is null || !options.Contains("jit", StringComparison.Ordinal))
                builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options) ? "-c jit=off" : options + " -c jit=off";
            return builder.Build();
        });
        services.AddSingleton<MigrationRunner>();
        return services;
    }
}

/// <summary>Dapper's type map is process-wide; registering twice is harmless, so this is idempotent.</summary>
public static class DapperTypeHandlers
{
    private static readonly Lock Gate = new();
    private static bool registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            SqlMapper.AddTypeHandler(new DateOnlyHandler());
            SqlMapper.AddTypeHandler(new NullableDateOnlyHandler());
            SqlMapper.AddTypeHandler(new StringArrayHandler());
            SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
            registered = true;
        }
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.Value = value;
            if (parameter is NpgsqlParameter p) p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => DateOnly.Parse(value.ToString()!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private sealed class NullableDateOnlyHandler : SqlMapper.TypeHandler<DateOnly?>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly? value)
        {
            parameter.Value = value.HasValue ? value.Value : DBNull.Value;
            if (parameter is NpgsqlParameter p) p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date;
        }

        public override DateOnly? Parse(object value) => value switch
        {
            null or DBNull => null,
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => DateOnly.Parse(value.ToString()!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Npgsql reports text[] columns as System.Array; this lets records take them as string[] constructor arguments.</summary>
    private sealed class StringArrayHandler : SqlMapper.TypeHandler<string[]>
    {
        public override void SetValue(IDbDataParameter parameter, string[]? value)
        {
            parameter.Value = (object?)value ?? DBNull.Value;
            if (parameter is NpgsqlParameter p) p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text;
        }

        public override string[] Parse(object value) => value switch
        {
            string[] a => a,
            null or DBNull => [],
            Array a => a.Cast<object?>().Select(x => x?.ToString() ?? "").ToArray(),
            _ => [value.ToString()!],
        };
    }

    /// <summary>
    /// timestamptz comes back from Npgsql as a UTC <see cref="DateTime"/>; this hands it to a row as the same instant at
    /// offset 0, so rows take <see cref="DateTimeOffset"/> columns directly (issue 18: instead of a
    /// <c>DateTime.SpecifyKind</c> at every read). A <c>timestamp</c> without zone is taken as UTC, as those reads did.
    /// Parameters never reach <see cref="SetValue"/>: Dapper's own type map names DateTimeOffset (DbType.DateTimeOffset,
    /// timestamptz in Npgsql) and is consulted before the handlers, so parameters, a null <c>DateTimeOffset?</c>
    /// included, are typed as before the handler (DapperTypeHandlerTests checks the null).
    /// </summary>
    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.Value = value;
            if (parameter is NpgsqlParameter p) p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset o => o,
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            _ => DateTimeOffset.Parse(value.ToString()!, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal),
        };
    }
}
