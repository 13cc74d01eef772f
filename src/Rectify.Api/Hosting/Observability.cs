using System.Diagnostics.Metrics;
using System.Net;
using Dapper;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Rectify.Notifications;
using Rectify.Workflows.Domain;
using Rectify.Workflows.Timers;

namespace Rectify.Api.Hosting;

/// <summary>
/// OpenTelemetry: metrics always (ASP.NET Core, HttpClient, Npgsql, our meters), served at <c>GET /metrics</c> in the
/// Prometheus text format; traces and metrics exported by OTLP only when an endpoint is configured
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, read by the SDK itself, or <c>Rectify__Otlp__Endpoint</c>). Without an
/// endpoint no trace is recorded at all.
/// <para>
/// <c>/metrics</c> answers requests from loopback (a Prometheus or agent on the same machine) and requests carrying an
/// administrator's bearer token; a request that came through a proxy (X-Forwarded-For) does not count as loopback.
/// </para>
/// </summary>
public static class Observability
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddRectifyObservability(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["Rectify:Otlp:Endpoint"];
        var otlp = !string.IsNullOrWhiteSpace(endpoint) || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        void Otlp(OtlpExporterOptions o)
        {
            if (!string.IsNullOrWhiteSpace(endpoint)) o.Endpoint = new Uri(endpoint);
            if (configuration["Rectify:Otlp:Protocol"] is { Length: > 0 } protocol)
                o.Protocol = protocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        }

        services.AddSingleton<OperationalGauges>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("rectify", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddMeter("Npgsql", TimerSweeper.MeterName, NotificationMetrics.MeterName, OperationalGauges.MeterName)
                    .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter(Otlp);
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource("Npgsql")
                .AddOtlpExporter(Otlp));
        }
        return services;
    }

    /// <summary>After authentication: the scrape endpoint, refused unless from loopback or an administrator.</summary>
    public static WebApplication UseRectifyMetrics(this WebApplication app)
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: http => http.Request.Path == MetricsPath,
            path: null,
            configureBranchedPipeline: branch => branch.Use(async (http, next) =>
            {
                if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
                {
                    await Results.Problem(statusCode: 405, title: "只支持 GET / GET only").ExecuteAsync(http);
                    return;
                }
                if (!FromLoopback(http) && !http.User.IsInRole(Roles.Admin))
                {
                    var signedIn = http.User.Identity?.IsAuthenticated == true;
                    await Results.Problem(statusCode: signedIn ? 403 : 401,
                        title: signedIn ? "仅管理员可读取运行指标 / Administrators only" : "请从本机访问或携带管理员令牌 / Loopback or an administrator's token required",
                        detail: "运行指标只对本机（如同机的 Prometheus）和管理员开放。 / Metrics are served to loopback and to administrators.").ExecuteAsync(http);
                    return;
                }
                await http.RequestServices.GetRequiredService<OperationalGauges>().RefreshAsync(http.RequestAborted);
                await next(http);
            }),
            optionsName: null);
        return app;
    }

    private static bool FromLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip) && !http.Request.Headers.ContainsKey("X-Forwarded-For");
}

/// <summary>
/// Gauges of the shared database, the same on every node (meter "Rectify.Operations"): rectify_outbox_pending (rows
/// waiting to be sent: pending or failed), rectify_outbox_dead (dead letters waiting for an operator),
/// rectify_incidents_open (quarantined timers, messages and jobs not yet resolved). Read at most once per
/// <see cref="MaxAge"/>; a scrape refreshes them first, so an idle node nobody scrapes pays nothing.
/// </summary>
public sealed class OperationalGauges
{
    public const string MeterName = "Rectify.Operations";
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private sealed record Snapshot(long Pending, long Dead, long Incidents, DateTimeOffset At);

    private readonly NpgsqlDataSource db;
    private readonly TimeProvider wall;
    private readonly ILogger<OperationalGauges> logger;
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private Snapshot snapshot = new(0, 0, 0, DateTimeOffset.MinValue);

    public OperationalGauges(NpgsqlDataSource db, [FromKeyedServices("wall")] TimeProvider wall, IMeterFactory meters, ILogger<OperationalGauges> logger)
    {
        this.db = db;
        this.wall = wall;
        this.logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("rectify.outbox.pending", () => Current().Pending, description: "outbox rows waiting to be sent (pending or failed)");
        meter.CreateObservableGauge("rectify.outbox.dead", () => Current().Dead, description: "outbox rows dead, waiting for an operator");
        meter.CreateObservableGauge("rectify.incidents.open", () => Current().Incidents, description: "incidents not yet resolved (quarantined timers, messages, jobs)");
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        if (wall.GetUtcNow() - Volatile.Read(ref snapshot).At < MaxAge) return;
        await refreshing.WaitAsync(ct);
        try
        {
            if (wall.GetUtcNow() - snapshot.At < MaxAge) return;
            await using var c = await db.OpenConnectionAsync(ct);
            var (pending, dead, incidents) = await c.QuerySingleAsync<(long, long, long)>(new CommandDefinition("""
                select (select count(*) from outbox where status in ('pending','failed')),
                       (select count(*) from outbox where status = 'dead'),
                       (select count(*) from incidents where resolved_at is null)
                """, cancellationToken: ct));
            Volatile.Write(ref snapshot, new Snapshot(pending, dead, incidents, wall.GetUtcNow()));
        }
        catch (NpgsqlException ex)
        {
            // The scrape still answers (with the last reading); the database's own health says the rest.
            logger.LogWarning(ex, "Could not read the outbox and incident gauges");
            Volatile.Write(ref snapshot, snapshot with { At = wall.GetUtcNow() });
        }
        finally
        {
            refreshing.Release();
        }
    }

    /// <summary>For an exporter collecting on its own schedule (OTLP, on its own thread): refreshes in place when stale.</summary>
    private Snapshot Current()
    {
        if (wall.GetUtcNow() - Volatile.Read(ref snapshot).At >= MaxAge * 3)
            RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
        return Volatile.Read(ref snapshot);
    }
}
