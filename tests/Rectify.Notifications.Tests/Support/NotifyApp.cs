using System.Net.Http.Json;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Support;

/// <summary>The whole service (API and dispatcher) on its own database, mailing a real SMTP server, on a controllable clock.</summary>
public sealed class NotifyApp : RectifyApp
{
    public SmtpSink Smtp { get; private set; } = null!;
    public HttpReceiver Receiver { get; private set; } = null!;
    public Seed Seed { get; private set; } = null!;
    private Npgsql.NpgsqlDataSource? db;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Clock:Controllable"] = "true",
        ["Rectify:PublicBaseUrl"] = "https://rectify.example.cn",
        ["Rectify:Smtp:Host"] = "127.0.0.1",
        ["Rectify:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Rectify:Notifications:RetryBaseDelay"] = "00:00:00.200",
        ["Rectify:Notifications:RetryFactor"] = "2",
        ["Rectify:Notifications:MaxAttempts"] = "2",
        ["Rectify:Notifications:IdlePoll"] = "00:00:01",
        // The robot and webhook receivers of the tests listen on loopback, which the outbound policy refuses unless allowed.
        ["Rectify:Notifications:AllowedHosts"] = "127.0.0.1",
    };

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpSink.CreateAsync();
        Receiver = await HttpReceiver.StartAsync();
        await base.InitializeAsync();
        db = Database.CreateDataSource();
        Seed = new Seed(db);
        var admin = await AdminAsync();
        (await admin.PostAsJsonAsync("/api/admin/clock", new { now = NotifyHost.MondayMorning })).EnsureSuccessStatusCode();
    }

    /// <summary>A user account bound to a person (and the person's unit), signed in.</summary>
    public async Task<HttpClient> UserAsync(string userName, string role, string unit, Guid? person)
    {
        var admin = await AdminAsync();
        var created = await admin.PostAsJsonAsync("/api/users", new { userName, password = "Passw0rd!x", role, unitCode = unit, personId = person });
        created.EnsureSuccessStatusCode();
        return await ClientAsAsync(userName, "Passw0rd!x");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (db is not null) await db.DisposeAsync();
        await Smtp.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
