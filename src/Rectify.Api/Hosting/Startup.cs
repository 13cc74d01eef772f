using System.Security.Cryptography;
using Dapper;
using Npgsql;
using Rectify.Api.Demo;
using Rectify.Api.Features.Auth;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Persistence;

namespace Rectify.Api.Hosting;

public sealed class StartupState
{
    private volatile bool completed;
    public bool Completed => completed;
    public void MarkCompleted() => completed = true;
}

public sealed class RectifyOptions
{
    public bool DemoData { get; set; }
    public BootstrapOptions Bootstrap { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
}

public sealed class BootstrapOptions
{
    public string? AdminPassword { get; set; }
}

public sealed class DemoOptions
{
    /// <summary>Password of every demo user; printed at start so a newcomer can sign in.</summary>
    public string Password { get; set; } = "Demo@2026";
}

/// <summary>
/// Runs before the server listens: migrations (under an advisory lock), Hangfire's schema, shipped workflow definitions, the first
/// administrator, and the demo campaign. A failure here stops the start with a message naming what failed.
/// </summary>
public sealed class StartupTasks(
    MigrationRunner migrations, Rectify.Api.Jobs.JobsSchema jobsSchema, WorkflowDefinitionSeeder definitions, CalendarSeeder calendar, NpgsqlDataSource db, DemoLoader demo,
    Microsoft.Extensions.Options.IOptions<RectifyOptions> options, StartupState state, ILogger<StartupTasks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A node that starts while PostgreSQL is away (a fail-over, a restart) waits for it instead of exiting:
        // it is back in service the moment the database is, without an orchestrator having to restart it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Database not reachable at start ({Message}); retrying (attempt {Attempt})", ex.Message, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 250 * attempt)), cancellationToken);
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var applied = await migrations.MigrateAsync(cancellationToken);
        logger.LogInformation("Database schema up to date ({Applied} migrations applied now)", applied);
        // Hangfire's own schema ("hangfire"), after ours and under a lock of its own: Hangfire never installs it itself.
        await jobsSchema.InstallAsync(cancellationToken);
        await definitions.SeedAsync(WorkflowDefinitionSeeder.DefaultDirectory, cancellationToken);
        await calendar.SeedAsync(cancellationToken);
        await BootstrapAdminAsync(cancellationToken);
        if (options.Value.DemoData) await demo.LoadOnceAsync(options.Value.Demo.Password, cancellationToken);
        state.MarkCompleted();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task BootstrapAdminAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var configured = options.Value.Bootstrap.AdminPassword;
        var password = string.IsNullOrEmpty(configured)
            ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y')
            : configured;
        const string sql = """
            insert into users(id, user_name, password_hash, role)
            select @id, 'admin', @hash, 'admin'
            where not exists (select 1 from users where lower(user_name) = 'admin')
            """;
        var created = await connection.ExecuteAsync(new CommandDefinition(sql,
            new { id = Guid.CreateVersion7(), hash = Passwords.Hash(password) }, cancellationToken: ct));
        // An operator's password is kept as given (the rule is for passwords people choose in the product), but said to be weak.
        if (created > 0 && !string.IsNullOrEmpty(configured) && PasswordRule.Check("admin", configured) is { } weak)
            logger.LogWarning("Rectify__Bootstrap__AdminPassword would not pass the password rule for new passwords ({Reason}); change it after signing in", weak);
        if (created > 0 && string.IsNullOrEmpty(configured))
        {
            // Printed once, at first start, because nobody could sign in otherwise.
            Console.WriteLine($"Rectify: created user 'admin' with password: {password}");
            logger.LogWarning("Created user admin with a generated password (printed on the console once)");
        }
    }
}

public static class StartupRegistration
{
    public static IServiceCollection AddRectifyStartup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RectifyOptions>().Bind(configuration.GetSection("Rectify"));
        services.AddSingleton<StartupState>();
        services.AddSingleton<WorkflowDefinitionSeeder>();
        services.AddSingleton<DemoLoader>();
        services.AddSingleton<DemoHistory>();
        // First of all hosted services, whatever the order of the Add… calls: the others (the data-protection key ring
        // among them) read tables that the migrations create, and a fresh database has none before this has run.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StartupTasks>());
        return services;
    }
}
