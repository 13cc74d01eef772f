using System.Text.Json;
using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Dispatch;

/// <summary>Failures, time-outs, dead letters, rate limits and switched-off channels, against real receivers.</summary>
public sealed class RetryTests(DatabaseFixture f) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private HttpReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    private async Task<(Seed.World W, Guid Person, string Key)> EnqueueWebhookAsync(string suffix, DateTimeOffset now, string channel = "webhook")
    {
        var w = await f.Seed.WorldAsync(suffix);
        var person = await f.Seed.Org.PersonAsync(new PersonRow("周敏", w.LeadUnit, IsContact: false)
        {
            Mobile = "13800001234",
            WebhookUrl = $"{receiver.BaseUrl}/hooks/{suffix}",
            Dingtalk = $"{receiver.BaseUrl}/robot/send?access_token={suffix}",
        });
        await f.Seed.PreferencesAsync(person, [channel]);
        var key = $"item:{w.ItemId}:reminder:T-7:{suffix}";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "reminder", null, w, person, now));
        return (w, person, key);
    }

    [Fact]
    public async Task Receiver500Then200_RetriedThenSent()
    {
        receiver.Respond = (_, n, _) => Task.FromResult(n == 1 ? (500, """{"error":"internal"}""") : (200, "{}"));
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, null, NotifyHost.MondayMorning);
        var (_, _, key) = await EnqueueWebhookAsync("r500", host.Clock.GetUtcNow());

        var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
        row.Attempts.ShouldBe(2);
        var attempts = await f.Seed.AttemptsAsync(row.Id);
        attempts.Select(a => a.Outcome).ShouldBe(["failed", "sent"]);
        attempts[0].Error!.ShouldContain("HTTP 500");
        receiver.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ReceiverHangs_TimedOutThenRetriedAndSent()
    {
        receiver.Respond = async (_, n, ct) =>
        {
            if (n == 1) await Task.Delay(TimeSpan.FromSeconds(60), ct);
            return (200, "{}");
        };
        await using var host = await NotifyHost.StartAsync(f.ConnectionString,
            new Dictionary<string, string?> { ["Rectify:Notifications:SendTimeout"] = "00:00:05" }, NotifyHost.MondayMorning);
        var (_, _, key) = await EnqueueWebhookAsync("hang", host.Clock.GetUtcNow());

        var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
        row.Attempts.ShouldBe(2);
        var attempts = await f.Seed.AttemptsAsync(row.Id);
        attempts.Select(a => a.Outcome).ShouldBe(["failed", "sent"]);
        attempts[0].Error!.ShouldContain("timed out after 5 s");
        receiver.Requests.Count(r => r.Accepted).ShouldBe(1);
    }

    [Fact]
    public async Task ReceiverAlwaysFails_DeadAfterMaxAttempts()
    {
        receiver.Respond = (_, _, _) => Task.FromResult((503, new string('x', 5000)));
        await using var host = await NotifyHost.StartAsync(f.ConnectionString,
            new Dictionary<string, string?> { ["Rectify:Notifications:MaxAttempts"] = "3" }, NotifyHost.MondayMorning);
        var (_, _, key) = await EnqueueWebhookAsync("dead", host.Clock.GetUtcNow());

        var row = (await f.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
        row.Attempts.ShouldBe(3);
        var attempts = await f.Seed.AttemptsAsync(row.Id);
        attempts.Select(a => a.Outcome).ShouldBe(["failed", "failed", "dead"]);
        attempts.ShouldAllBe(a => a.Error!.StartsWith("HTTP 503") && a.Error.Length <= 1000);
        receiver.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task RobotRateLimit_DelaysOverflowToNextMinute_NothingDropped()
    {
        receiver.Respond = (_, _, _) => Task.FromResult((200, """{"errcode":0,"errmsg":"ok"}"""));
        // 10:00:05 local: the minute window has 55 s left, more than the test needs.
        await using var host = await NotifyHost.StartAsync(f.ConnectionString,
            new Dictionary<string, string?> { ["Rectify:Notifications:RobotPerMinute"] = "5" }, NotifyHost.MondayMorning.AddSeconds(5));
        var w = await f.Seed.WorldAsync("rate");
        var person = await f.Seed.Org.PersonAsync(new PersonRow("吴刚", w.LeadUnit, IsContact: false)
        {
            Dingtalk = $"{receiver.BaseUrl}/robot/send?access_token=rate",
        });
        await f.Seed.PreferencesAsync(person, ["dingtalk"]);
        var now = host.Clock.GetUtcNow();
        await f.Seed.EnqueueAsync(now, Enumerable.Range(1, 8)
            .Select(n => Seed.Request($"item:{w.ItemId}:rate:{n}", "reminder", null, w, person, now)).ToArray());

        var rows = await f.Seed.WaitForAsync($"item:{w.ItemId}:rate:", r => r.Status == "sent" || r.LastError != null, expected: 8);
        rows.Count(r => r.Status == "sent").ShouldBe(5);
        var held = rows.Where(r => r.Status == "pending").ToList();
        held.Count.ShouldBe(3);
        held.ShouldAllBe(r => r.Attempts == 0 && r.LastError!.Contains("rate limit"));
        var nextWindow = new DateTime(2026, 11, 23, 2, 1, 0, DateTimeKind.Utc);
        held.ShouldAllBe(r => r.NotBefore == nextWindow);

        await host.Clock.SetAsync(new DateTimeOffset(nextWindow).AddSeconds(1), CancellationToken.None);
        await f.Seed.WaitForAsync($"item:{w.ItemId}:rate:", r => r.Status == "sent", expected: 8);
        receiver.Requests.Count.ShouldBe(8);
    }

    [Fact]
    public async Task Sms_GatewayGetsConfiguredJsonBody()
    {
        receiver.Respond = (_, _, _) => Task.FromResult((200, """{"code":"OK"}"""));
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, new Dictionary<string, string?>
        {
            ["Rectify:Sms:Url"] = $"{receiver.BaseUrl}/sms/send",
            ["Rectify:Sms:BodyTemplate"] = """{"phone":"{{mobile}}","msg":"{{text}}","sign":"整改督办","ref":"{{id}}"}""",
            ["Rectify:Sms:Authorization"] = "Bearer sms-token",
        }, NotifyHost.MondayMorning);
        var (w, _, key) = await EnqueueWebhookAsync("sms", host.Clock.GetUtcNow(), "sms");

        var row = (await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
        var request = (await receiver.WaitForAsync(1)).Single();
        request.Path.ShouldBe("/sms/send");
        request.Header("Authorization").ShouldBe("Bearer sms-token");
        var body = JsonDocument.Parse(request.Body).RootElement;
        body.GetProperty("phone").GetString().ShouldBe("13800001234");
        body.GetProperty("msg").GetString().ShouldBe($"【提醒】第3项“部分贫困户“两不愁三保障”底数不清”将于12月4日到期 https://rectify.example.cn/items/{w.ItemId}");
        body.GetProperty("ref").GetString().ShouldBe(row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task EmailWithoutSmtpHost_RowWaitsWithReason_NoAttemptCounted()
    {
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, null, NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync("off");
        await f.Seed.PreferencesAsync(w.LeaderId, ["email"]);
        var now = host.Clock.GetUtcNow();
        var key = $"item:{w.ItemId}:reminder:T-7:off";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "reminder", null, w, w.LeaderId, now));

        var row = (await f.Seed.WaitForAsync(key, r => r.LastError != null, expected: 1)).Single();
        row.Status.ShouldBe("pending");
        row.Attempts.ShouldBe(0);
        row.LastError!.ShouldContain("Rectify__Smtp__Host");
        new DateTimeOffset(DateTime.SpecifyKind(row.NotBefore, DateTimeKind.Utc)).ShouldBeGreaterThan(now.AddMinutes(14));
    }

    [Fact]
    public async Task ChannelWithoutAddress_DeadAtOnceWithReason()
    {
        await using var host = await NotifyHost.StartAsync(f.ConnectionString, null, NotifyHost.MondayMorning);
        var w = await f.Seed.WorldAsync("noaddr");
        await f.Seed.PreferencesAsync(w.ContactId, ["feishu"]);
        var now = host.Clock.GetUtcNow();
        var key = $"item:{w.ItemId}:assigned:noaddr";
        await f.Seed.EnqueueAsync(now, Seed.Request(key, "assigned", null, w, w.ContactId, now));

        var row = (await f.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
        row.Attempts.ShouldBe(1);
        row.LastError!.ShouldContain("no feishu webhook");
    }
}

