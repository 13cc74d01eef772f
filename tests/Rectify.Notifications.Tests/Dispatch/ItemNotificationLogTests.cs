using Microsoft.Extensions.DependencyInjection;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Dispatch;

/// <summary>What was sent about an item, as its timeline shows it.</summary>
public sealed class ItemNotificationLogTests(MailFixture f) : IClassFixture<MailFixture>
{
    [Fact]
    public async Task ForItem_ListsSentMessagesInOrderWithRecipientChannelAndSubject()
    {
        var w = await f.Seed.WorldAsync("tl");
        var now = NotifyHost.MondayMorning;
        await f.Seed.EnqueueAsync(now, Seed.Request($"item:{w.ItemId}:assigned", "assigned", null, w, w.LeaderId, now));
        await f.Seed.WaitForAsync($"item:{w.ItemId}:assigned", r => r.Status == "sent", expected: 2);
        await f.Seed.EnqueueAsync(now, Seed.Request($"item:{w.ItemId}:reminder:T-7:c1", "reminder", null, w, w.LeaderId, now));
        await f.Seed.WaitForAsync($"item:{w.ItemId}:reminder", r => r.Status == "sent", expected: 2);

        var log = f.Host.Services.GetRequiredService<Rectify.Notifications.Log.ItemNotificationLog>();
        var entries = await log.ForItemAsync(w.ItemId, CancellationToken.None);
        entries.Count.ShouldBe(4);
        entries.Select(e => e.Kind).ShouldBe(["assigned", "assigned", "reminder", "reminder"]);
        entries.ShouldAllBe(e => e.Type == "notification.sent" && e.RecipientName == "王建国" && e.Attempts == 1);
        entries.Select(e => e.Channel).Distinct().Order().ShouldBe(["email", "inbox"]);
        entries[0].Note!.ShouldStartWith("【交办】");
        entries[^1].Note!.ShouldStartWith("【提醒】");
        (await log.ForItemAsync(Guid.NewGuid(), CancellationToken.None)).ShouldBeEmpty();
    }
}
