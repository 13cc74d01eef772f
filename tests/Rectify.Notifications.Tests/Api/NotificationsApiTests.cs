using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.Notifications.Tests.Email;
using Rectify.Notifications.Tests.Support;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Api;

/// <summary>The notifications endpoints through the real service: log, retry, preferences, inbox, letter download.</summary>
public sealed class NotificationsApiTests(NotifyApp app) : IClassFixture<NotifyApp>
{
    private static DateTimeOffset Now => NotifyHost.MondayMorning;

    [Fact]
    public async Task Log_ListsSentMessagesWithRecipientAttemptsAndSubject_FilteredAndScoped()
    {
        var w = await app.Seed.WorldAsync("log");
        var key = $"item:{w.ItemId}:assigned";
        await app.Seed.EnqueueAsync(Now, Seed.Request(key, "assigned", null, w, w.LeaderId, Now));
        await app.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 2);
        var admin = await app.AdminAsync();

        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/notifications?itemId={w.ItemId}&status=sent");
        page.GetProperty("total").GetInt64().ShouldBe(2);
        var email = page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("channel").GetString() == "email");
        email.GetProperty("kind").GetString().ShouldBe("assigned");
        email.GetProperty("recipient").GetProperty("personId").GetGuid().ShouldBe(w.LeaderId);
        email.GetProperty("recipient").GetProperty("name").GetString().ShouldBe("王建国");
        email.GetProperty("attempts").GetInt32().ShouldBe(1);
        email.GetProperty("subject").GetString()!.ShouldStartWith("【交办】第3项");
        email.GetProperty("sentAt").ValueKind.ShouldBe(JsonValueKind.String);
        // What the log says was sent is what the SMTP server received.
        var mail = app.Smtp.Messages().Single(m => m.IdempotencyKey.StartsWith(key, StringComparison.Ordinal));
        mail.Subject.ShouldBe(email.GetProperty("subject").GetString());

        (await admin.GetFromJsonAsync<JsonElement>($"/api/notifications?recipient={w.ContactId}")).GetProperty("total").GetInt64().ShouldBe(0);
        (await admin.GetAsync("/api/notifications?status=bogus")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await app.Seed.Org.UnitAsync("other-log", "县教育局", "department");
        var outsider = await app.UserAsync("edu-log", "unit", "other-log", null);
        (await outsider.GetFromJsonAsync<JsonElement>($"/api/notifications?itemId={w.ItemId}")).GetProperty("total").GetInt64().ShouldBe(0);
        var insider = await app.UserAsync("fpb-log", "unit", w.LeadUnit, null);
        (await insider.GetFromJsonAsync<JsonElement>($"/api/notifications?itemId={w.ItemId}")).GetProperty("total").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task DeadMessage_RequeuedByApi_IsSentAfterReceiverRecovers()
    {
        var w = await app.Seed.WorldAsync("retry");
        var healthy = false;
        app.Receiver.Respond = (_, _, _) => Task.FromResult(healthy ? (200, "{}") : (500, "down"));
        var person = await app.Seed.Org.PersonAsync(new PersonRow("冯涛", w.LeadUnit, IsContact: false)
        {
            WebhookUrl = $"{app.Receiver.BaseUrl}/hooks/retry",
        });
        await app.Seed.PreferencesAsync(person, ["webhook"]);
        var key = $"item:{w.ItemId}:escalation:urge:c1";
        await app.Seed.EnqueueAsync(Now, Seed.Request(key, "escalation", "urge", w, person, Now));
        var dead = (await app.Seed.WaitForAsync(key, r => r.Status == "dead", expected: 1)).Single();
        dead.Attempts.ShouldBe(2);

        var unit = await app.UserAsync("fpb-retry", "unit", w.LeadUnit, null);
        (await unit.PostAsync($"/api/notifications/{dead.Id}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var admin = await app.AdminAsync();
        healthy = true;
        var retried = await admin.PostAsync($"/api/notifications/{dead.Id}/retry", null);
        retried.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await retried.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString()!.ShouldBeOneOf("pending", "sent");

        var sent = (await app.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1)).Single();
        sent.Attempts.ShouldBe(1);
        (await app.Seed.AttemptsAsync(sent.Id)).Select(a => a.Outcome).ShouldBe(["failed", "dead", "sent"]);
        var again = await admin.PostAsync($"/api/notifications/{dead.Id}/retry", null);
        again.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await admin.PostAsync("/api/notifications/999999999/retry", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Preferences_ValidatedAndOwnedByThePerson()
    {
        var w = await app.Seed.WorldAsync("pref");
        var admin = await app.AdminAsync();
        var initial = await admin.GetFromJsonAsync<JsonElement>($"/api/people/{w.LeaderId}/preferences");
        initial.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ShouldBe(["email", "inbox"]);
        initial.GetProperty("isDefault").GetBoolean().ShouldBeTrue();

        var bad = await admin.PutAsJsonAsync($"/api/people/{w.LeaderId}/preferences", new { channels = new[] { "email", "pigeon" }, language = "fr" });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty("channels", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("language", out _).ShouldBeTrue();
        (await admin.PutAsJsonAsync($"/api/people/{w.LeaderId}/preferences", new { channels = Array.Empty<string>() })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync($"/api/people/{w.LeaderId}/preferences", new { channels = new[] { "email" }, quietStart = "25:00", quietEnd = "07:00" }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var noAddress = await admin.PutAsJsonAsync($"/api/people/{w.LeaderId}/preferences", new { channels = new[] { "dingtalk" } });
        noAddress.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await noAddress.Content.ReadAsStringAsync()).ShouldContain("dingtalk");
        (await admin.PutAsJsonAsync($"/api/people/{Guid.NewGuid()}/preferences", new { channels = new[] { "inbox" } })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var contact = await app.UserAsync("lina-pref", "unit", w.LeadUnit, w.ContactId);
        (await contact.PutAsJsonAsync($"/api/people/{w.LeaderId}/preferences", new { channels = new[] { "inbox" } })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var own = await contact.PutAsJsonAsync($"/api/people/{w.ContactId}/preferences",
            new { channels = new[] { "inbox", "email" }, digest = true, language = "en", quietStart = "21:00", quietEnd = "07:30" });
        own.StatusCode.ShouldBe(HttpStatusCode.OK, await own.Content.ReadAsStringAsync());
        var saved = await contact.GetFromJsonAsync<JsonElement>($"/api/people/{w.ContactId}/preferences");
        saved.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ShouldBe(["inbox", "email"]);
        saved.GetProperty("digest").GetBoolean().ShouldBeTrue();
        saved.GetProperty("language").GetString().ShouldBe("en");
        saved.GetProperty("quietStart").GetString().ShouldBe("21:00");
        saved.GetProperty("isDefault").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Inbox_ShowsSignedInPersonsMessages_AndMarksThemRead()
    {
        var w = await app.Seed.WorldAsync("inbox");
        await app.Seed.PreferencesAsync(w.ContactId, ["inbox"]);
        var key = $"item:{w.ItemId}:reminder:T-3:c1";
        await app.Seed.EnqueueAsync(Now, Seed.Request(key, "reminder", null, w, w.ContactId, Now));
        await app.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 1);

        var contact = await app.UserAsync("lina-inbox", "unit", w.LeadUnit, w.ContactId);
        var inbox = await contact.GetFromJsonAsync<JsonElement>("/api/inbox");
        inbox.GetProperty("unread").GetInt64().ShouldBe(1);
        var message = inbox.GetProperty("items").EnumerateArray().Single();
        message.GetProperty("subject").GetString()!.ShouldStartWith("【提醒】第3项");
        message.GetProperty("link").GetString().ShouldBe($"https://rectify.example.cn/items/{w.ItemId}");
        message.GetProperty("body").GetString()!.ShouldContain("李娜：");

        var read = await contact.PostAsync($"/api/inbox/{message.GetProperty("id").GetInt64()}/read", null);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await contact.GetFromJsonAsync<JsonElement>("/api/inbox")).GetProperty("unread").GetInt64().ShouldBe(0);
        var leader = await app.UserAsync("wang-inbox", "unit", w.LeadUnit, w.LeaderId);
        (await leader.GetFromJsonAsync<JsonElement>("/api/inbox")).GetProperty("total").GetInt64().ShouldBe(0);
        (await leader.PostAsync($"/api/inbox/{message.GetProperty("id").GetInt64()}/read", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task LetterDownload_ForOfficeAndAddressee_ValidDocx_OthersNotFound()
    {
        var w = await app.Seed.WorldAsync("dl", deadline: new DateOnly(2026, 11, 13));
        var escalation = await app.Seed.EscalationAsync(w.CampaignId, w.ItemId, "supervisionLetter", w.Office, Now);
        var urge = await app.Seed.EscalationAsync(w.CampaignId, w.ItemId, "urge", w.Office, Now.AddDays(-3));

        var office = await app.UserAsync("dcs-dl", "supervisor", w.Office, null);
        var response = await office.GetAsync($"/api/escalations/{escalation}/letter.docx");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("督办函县委督查室〔2026〕1号.docx");
        var text = SupervisionLetterEmailTests.LetterText(await response.Content.ReadAsByteArrayAsync(), out var errors);
        errors.ShouldBeEmpty();
        text.ShouldContain("县委督查室〔2026〕1号");
        text.ShouldContain("县扶贫办：");

        var addressee = await app.UserAsync("fpb-dl", "unit", w.LeadUnit, null);
        var again = await addressee.GetAsync($"/api/escalations/{escalation}/letter.docx");
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        again.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("督办函县委督查室〔2026〕1号.docx");

        await app.Seed.Org.UnitAsync("other-dl", "县交通局", "department");
        var other = await app.UserAsync("jt-dl", "unit", "other-dl", null);
        (await other.GetAsync($"/api/escalations/{escalation}/letter.docx")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await office.GetAsync($"/api/escalations/{urge}/letter.docx")).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }
}
