using System.Diagnostics;
using System.Net;
using Npgsql;
using Rectify.Api.Tests.Foundation;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Operations;

public sealed class ControllableApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Rectify:Clock:Controllable"] = "true" };
}

/// <summary>docs/operations.md promises that a pg_dump restored into a new database resumes every pending timer.</summary>
public sealed class BackupRestoreTests(ControllableApp app) : IClassFixture<ControllableApp>
{
    [Fact]
    public async Task DumpRestoredIntoNewDatabase_StartsANode_AndEveryPendingTimerStillFires()
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        await org.UnitAsync("br-lg", "县领导小组办公室", "leadingGroup");
        await org.UnitAsync("br-dc", "县委督查室", "supervisionOffice");
        await org.UnitAsync("br-fp", "县扶贫办");
        await org.PersonAsync("扶贫办联络员", "br-fp", "fp@br.example.cn");
        await org.PersonAsync("督查室联络员", "br-dc", "dc@br.example.cn");
        (await admin.PostJsonAsync("/api/admin/clock", new { now = "2026-05-11T08:00:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var campaign = await org.CampaignAsync("br-lg", "br-dc", "备份恢复测试");
        var item = (await org.ItemAsync(campaign, "恢复后仍须催办的问题", "br-fp", deadline: "2026-06-10")).Str("id");
        var launch = await admin.PostAsync($"/api/campaigns/{campaign}/launch", null);
        launch.IsSuccessStatusCode.ShouldBeTrue(await launch.Content.ReadAsStringAsync());

        var dump = Path.Combine(Path.GetTempPath(), $"rectify-{Guid.NewGuid():N}.dump");
        var restoredName = "r_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await PgToolAsync("pg_dump", "--format=custom", "--no-owner", $"--file={dump}", $"--dbname={Url(app.Database.Name)}");
            await PgToolAsync("createdb", $"--maintenance-db={Url("postgres")}", restoredName);
            await PgToolAsync("pg_restore", "--no-owner", $"--dbname={Url(restoredName)}", dump);

            await using var restored = new ControllableApp { ExistingDatabase = TestDatabase.Existing(restoredName) };
            await restored.InitializeAsync();
            var client = await restored.AdminAsync();
            // The pending 7-days-before reminder fires on the restored node at its time…
            (await client.PostJsonAsync("/api/admin/clock", new { now = "2026-06-03T09:05:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
            // …and, past the deadline, the first step of the ladder.
            (await client.PostJsonAsync("/api/admin/clock", new { now = "2026-06-12T10:00:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
            var restoredItem = await (await client.GetAsync($"/api/items/{item}")).ShouldHaveStatusAsync(HttpStatusCode.OK);
            restoredItem.Str("escalationLevel").ShouldBe("urge");
            restoredItem.Str("light").ShouldBe("red");
            var sent = await (await client.GetAsync($"/api/notifications?itemId={item}&pageSize=500")).ShouldHaveStatusAsync(HttpStatusCode.OK);
            var kinds = sent.GetProperty("items").EnumerateArray().Select(n => n.Str("kind")).ToList();
            kinds.ShouldContain("assigned");
            kinds.ShouldContain("reminder");
            kinds.ShouldContain("escalation");
            await ((IAsyncLifetime)restored).DisposeAsync();
        }
        finally
        {
            File.Delete(dump);
        }
    }

    private static string Url(string database)
    {
        var b = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{database}";
    }

    private static async Task PgToolAsync(string tool, params string[] args)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", tool)).First(File.Exists);
        var info = new ProcessStartInfo(bin) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"{tool}: {error}");
    }
}
