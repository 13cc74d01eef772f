using Npgsql;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Support;

/// <summary>A database of its own, a running SMTP server and one node delivering to it.</summary>
public class MailFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public Seed Seed { get; private set; } = null!;
    public SmtpSink Smtp { get; private set; } = null!;
    public NotifyHost Host { get; private set; } = null!;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public Dictionary<string, string?> SmtpSettings(SmtpSink sink) => new()
    {
        ["Rectify:Smtp:Host"] = "127.0.0.1",
        ["Rectify:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public virtual async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Db = Database.CreateDataSource();
        Seed = new Seed(Db);
        Smtp = await SmtpSink.CreateAsync();
        var settings = SmtpSettings(Smtp);
        foreach (var (k, v) in Settings) settings[k] = v;
        Host = await NotifyHost.StartAsync(Database.ConnectionString, settings, NotifyHost.MondayMorning);
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Smtp.DisposeAsync();
        await Db.DisposeAsync();
        await Database.DisposeAsync();
    }
}
