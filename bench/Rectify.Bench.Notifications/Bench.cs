using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Notifications;
using Rectify.Notifications.Channels;
using Rectify.Notifications.Content;
using Rectify.Notifications.Dispatch;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Notifications;
using Rectify.Workflows.Persistence;

namespace Rectify.Bench.Notifications;

/// <summary>Seeds a campaign, runs the receivers, and times the dispatcher against the naive baseline.</summary>
public sealed class Bench : IAsyncDisposable
{
    /// <summary>Monday 10:00 in Asia/Shanghai: office hours on a working day, so quiet hours hold nothing.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly BenchOptions options;
    private readonly NpgsqlDataSource db;
    private readonly WebApplication receiver;
    private readonly Guid campaign, item, emailPerson, hookPerson;
    private long received;
    private string receiverUrl = "";

    private Bench(BenchOptions options, NpgsqlDataSource db, WebApplication receiver, Guid campaign, Guid item, Guid emailPerson, Guid hookPerson)
    {
        this.options = options;
        this.db = db;
        this.receiver = receiver;
        this.campaign = campaign;
        this.item = item;
        this.emailPerson = emailPerson;
        this.hookPerson = hookPerson;
    }

    public static async Task<Bench> CreateAsync(BenchOptions options)
    {
        DapperTypeHandlers.Register();
        var db = NpgsqlDataSource.Create(options.Pg);
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        Guid campaign = Guid.CreateVersion7(), item = Guid.CreateVersion7(), emailPerson = Guid.CreateVersion7(), hookPerson = Guid.CreateVersion7();
        var bench = new Bench(options, db, app, campaign, item, emailPerson, hookPerson);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            await reader.ReadToEndAsync();
            Interlocked.Increment(ref bench.received);
            return Results.NoContent();
        });
        await app.StartAsync();
        bench.receiverUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        await bench.SeedAsync();
        return bench;
    }

    private async Task SeedAsync()
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("""
            truncate outbox, outbox_attempts, inbox_messages, channel_rate_windows cascade;
            insert into units(code, name, kind) values ('bench-lg', '县整改领导小组办公室', 'leadingGroup'), ('bench-fpb', '县扶贫办', 'department')
            on conflict do nothing;
            insert into workflow_definitions(id, version, name, definition) values ('bench', 1, 'bench', '{}') on conflict do nothing;
            insert into people(id, name, unit_code, email, webhook_url) values
                (@emailPerson, '王建国', 'bench-fpb', 'wangjianguo@fpb.example.cn', null),
                (@hookPerson, '李娜', 'bench-fpb', null, @hook);
            insert into notification_preferences(person_id, channels) values (@emailPerson, '{email}'), (@hookPerson, '{webhook}');
            insert into campaigns(id, title, document_number, issued_by_unit, workflow_id, workflow_version, state)
            values (@campaign, '龙川县脱贫攻坚考核反馈问题整改工作', '龙整改〔2026〕3号', 'bench-lg', 'bench', 1, 'active');
            insert into items(id, campaign_id, seq, number, title, lead_unit, units, deadline, effective_deadline, state, responsible_leader_id)
            values (@item, @campaign, 1, '3', '部分贫困户“两不愁三保障”底数不清', 'bench-fpb', '{bench-fpb}', '2026-12-04', '2026-12-04', 'inProgress', @emailPerson);
            """, new { emailPerson, hookPerson, campaign, item, hook = receiverUrl + "/hook" });
    }

    private IHost BuildHost(int smtpConnections, bool smtpClientBaseline = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rectify"] = options.Pg,
            ["Rectify:Clock:Controllable"] = "true",
            ["Rectify:Smtp:Host"] = "127.0.0.1",
            ["Rectify:Smtp:Port"] = options.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Rectify:Smtp:Connections"] = smtpConnections.ToString(CultureInfo.InvariantCulture),
            ["Rectify:Smtp:From"] = "duban@rectify.example.cn",
            ["Rectify:PublicBaseUrl"] = "https://rectify.example.cn",
            // The webhook receiver is on loopback, which the outbound policy refuses unless allowed.
            ["Rectify:Notifications:AllowedHosts"] = "127.0.0.1",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRectifyPersistence(builder.Configuration);
        builder.Services.AddKeyedSingleton("wall", TimeProvider.System);
        builder.Services.AddOptions<ClockOptions>().BindConfiguration("Rectify:Clock");
        builder.Services.AddSingleton<RectifyClock>();
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<RectifyClock>());
        builder.Services.AddHostedService<ClockRefresher>();
        builder.Services.AddRectifyNotifications(builder.Configuration);
        if (smtpClientBaseline)
        {
            var mailKit = builder.Services.Single(s => s.ServiceType == typeof(INotificationChannel) && s.ImplementationType == typeof(EmailChannel));
            builder.Services.Remove(mailKit);
            builder.Services.AddSingleton<INotificationChannel, SmtpClientChannel>();
        }
        return builder.Build();
    }

    private async Task EnqueueAsync(string prefix, Guid person, int count, DateTimeOffset now, DateTimeOffset notBefore)
    {
        var requests = Enumerable.Range(1, count)
            .Select(n => new NotificationRequest($"{prefix}{n}",
                new ReminderMessage(new ItemRef(campaign, item), new DateOnly(2026, 12, 4), 7), person, notBefore, false))
            .ToList();
        await using var c = await db.OpenConnectionAsync();
        await using var tx = await c.BeginTransactionAsync();
        await new SqlNotificationOutbox().EnqueueAsync(c, tx, requests, now, CancellationToken.None);
        await tx.CommitAsync();
    }

    private async Task<long> SentAsync(string prefix)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("select count(*) from outbox where idempotency_key like @p and status = 'sent'", new { p = prefix + "%" });
    }

    /// <summary>The naive way: claim one row, render it, open a new connection, send, close, record; one at a time.</summary>
    private async Task<Result> BaselineAsync(string channel, string prefix, Guid person, int count, Func<IServiceProvider, INotificationChannel> freshChannel)
    {
        using var host = BuildHost(1);
        var clock = host.Services.GetRequiredService<RectifyClock>();
        await clock.SetAsync(Monday.ToUniversalTime(), CancellationToken.None);
        var store = host.Services.GetRequiredService<OutboxStore>();
        var loader = host.Services.GetRequiredService<ContextLoader>();
        var renderer = host.Services.GetRequiredService<MessageRenderer>();
        await EnqueueAsync(prefix, person, count, clock.GetUtcNow(), clock.GetUtcNow());
        var seconds = await Timing.SecondsAsync(async () =>
        {
            while (true)
            {
                var rows = await store.ClaimAsync(1, clock.GetUtcNow(), TimeSpan.FromMinutes(5), CancellationToken.None);
                if (rows.Count == 0) break;
                var row = rows[0];
                var recipients = await store.RecipientsAsync([person], CancellationToken.None);
                var context = await loader.LoadAsync([row], CancellationToken.None);
                var (message, facts) = await renderer.RenderAsync(row, recipients[person], context, clock.GetUtcNow(), CancellationToken.None);
                var sender = freshChannel(host.Services);
                var result = await sender.SendAsync(new Delivery(row, recipients[person], message, facts), clock.GetUtcNow(), CancellationToken.None);
                (sender as IDisposable)?.Dispose();
                var now = clock.GetUtcNow();
                await store.CompleteAsync([new Outcome(row.Id, row.ClaimToken, result.Status == SendStatus.Sent ? OutcomeKind.Sent : OutcomeKind.Failed,
                    row.Status, now, now, result.Error, message.Subject, message.Text, 0)], CancellationToken.None);
            }
        });
        var sent = await SentAsync(prefix);
        Console.Error.WriteLine($"{channel} baseline: {sent}/{count} sent in {seconds:0.00} s");
        return new Result(channel, "baseline: new connection per message, one at a time", count, seconds, sent == count);
    }

    /// <summary>The dispatcher as it runs on a node; timed from the rows falling due to the last one recorded as sent.</summary>
    private async Task<Result> DispatcherAsync(string channel, string prefix, Guid person, int count, int smtpConnections, bool smtpClient = false)
    {
        using var host = BuildHost(smtpConnections, smtpClient);
        var clock = host.Services.GetRequiredService<RectifyClock>();
        await clock.SetAsync(Monday.ToUniversalTime(), CancellationToken.None);
        await host.StartAsync();
        var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var due = clock.GetUtcNow().AddSeconds(2);
        await EnqueueAsync(prefix, person, count, clock.GetUtcNow(), due);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (await SentAsync(prefix) < count && DateTime.UtcNow < deadline) await Task.Delay(200);
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await host.StopAsync();
        await using var c = await db.OpenConnectionAsync();
        var last = await c.ExecuteScalarAsync<DateTime?>("select max(sent_at) from outbox where idempotency_key like @p", new { p = prefix + "%" });
        var seconds = last is { } l ? (new DateTimeOffset(DateTime.SpecifyKind(l, DateTimeKind.Utc)) - due).TotalSeconds : double.NaN;
        var sent = await SentAsync(prefix);
        var attempts = await c.ExecuteScalarAsync<long>("select count(*) from outbox_attempts a join outbox o on o.id = a.outbox_id where o.idempotency_key like @p", new { p = prefix + "%" });
        Console.Error.WriteLine($"{channel} dispatcher: {sent}/{count} sent, {attempts} attempts logged, {seconds:0.00} s, process CPU {cpu.TotalMilliseconds / count:0.00} ms/message");
        var how = channel != "email" ? "Rectify dispatcher (pooled keep-alive HTTP, parallel)"
            : smtpClient ? $"baseline: dispatcher with System.Net.Mail SmtpClient, {smtpConnections} connection{(smtpConnections == 1 ? "" : "s")} on dedicated threads"
            : $"Rectify dispatcher, MailKit, {smtpConnections} SMTP connection{(smtpConnections == 1 ? "" : "s")}";
        return new Result(channel, how, count, seconds, sent == count && attempts == count);
    }

    /// <summary>The same dispatcher with the System.Net.Mail channel the product used before MailKit.</summary>
    public Task<Result> EmailSmtpClientAsync(int count, int connections) =>
        DispatcherAsync("email", $"bench:email-sc{connections}:", emailPerson, count, connections, smtpClient: true);

    public Task<Result> EmailDispatcherAsync(int count, int connections) => DispatcherAsync("email", $"bench:email{connections}:", emailPerson, count, connections);

    public Task<Result> WebhookBaselineAsync(int count) => BaselineAsync("webhook", "bench:hook-base:", hookPerson, count,
        sp => new OwningWebhook(sp));

    public Task<Result> WebhookDispatcherAsync(int count) => DispatcherAsync("webhook", "bench:hook:", hookPerson, count, 8);

    /// <summary>A webhook channel with an HttpClient of its own (so a new connection) for one message.</summary>
    private sealed class OwningWebhook(IServiceProvider sp) : INotificationChannel, IDisposable
    {
        private readonly NotificationHttp http = new(sp.GetRequiredService<OutboundPolicy>());
        public string Name => "webhook";

        public Task<SendResult> SendAsync(Delivery delivery, DateTimeOffset now, CancellationToken ct) =>
            new WebhookChannel(http, sp.GetRequiredService<ChannelRateLimiter>(), sp.GetRequiredService<IOptions<NotificationOptions>>(),
                sp.GetRequiredService<IOptions<WebhookOptions>>(), TimeProvider.System).SendAsync(delivery, now, ct);

        public void Dispose() => http.Dispose();
    }

    public async Task<string> ServerVersionAsync()
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("show server_version") ?? "?";
    }

    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await receiver.StopAsync();
        await receiver.DisposeAsync();
        await db.DisposeAsync();
    }
}
