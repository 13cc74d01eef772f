using System.Text.Json;
using Rectify.Api.Features.Runtime;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Tests.Runtime;

/// <summary>The timeline's words (issue 14 §7): every journal entry the runtime writes reads as Chinese and English, never a raw step name.</summary>
public sealed class TimelineWordsTests
{
    private static readonly TimeZoneInfo Zone = LocalTime.Zone("Asia/Shanghai");

    private static TimelineText Describe(string type, object data) =>
        TimelineWords.Describe(type, JsonDocument.Parse(JsonSerializer.Serialize(data)).RootElement, null, Zone);

    [Theory]
    [InlineData("reminder:T-7", "到期前7天提醒")]
    [InlineData("reminder:unacknowledged", "未签收提醒")]
    [InlineData("escalation:supervisionLetter", "督办函")]
    [InlineData("periodic:2026-07-25:reminder", "2026年7月25日定期报告提醒")]
    [InlineData("periodic:2026-07-25:escalation:urge", "2026年7月25日定期报告的催办")]
    [InlineData("phase:plan:start", "阶段开始提示")]
    [InlineData("something:new", "定时任务")]
    public void Step_InWords(string step, string zh) => TimelineWords.Step(step).Zh.ShouldBe(zh);

    [Fact]
    public void SkippedAndSupersededSteps_AreBookkeepingInWords()
    {
        var skipped = Describe("timerSkipped", new { step = "periodic:2026-07-25:escalation:urge", outcome = "superseded" });
        skipped.Bookkeeping.ShouldBeTrue();
        skipped.Zh.ShouldBe("未发送：2026年7月25日定期报告的催办（已被后续步骤取代）");
        skipped.En.ShouldBe("Not sent: urging over the 2026-07-25 periodic report (a later step was already due)");
        var superseded = Describe("escalation", new { step = "escalation:urge", outcome = "superseded", level = "urge" });
        superseded.Bookkeeping.ShouldBeTrue();
        superseded.Zh.ShouldStartWith("升级为催办");
        var received = Describe("periodicReportReceived", new { step = "periodic:2026-07-25:escalation:supervisionLetter", outcome = "fired" });
        received.Bookkeeping.ShouldBeTrue();
        received.Zh.ShouldBe("2026年7月25日的整改进展已报送，不再督办");
    }

    [Fact]
    public void EventsAndFiredSteps_AreShownInWords()
    {
        Describe("escalation", new { step = "escalation:admonitoryTalk", outcome = "fired", level = "admonitoryTalk" }).ShouldBe(new TimelineText("升级督办：约谈", "Escalated: admonitory talk", false));
        Describe("reminder", new { step = "reminder:T-3", outcome = "fired" }).Zh.ShouldBe("发出到期前3天提醒");
        Describe("approveClosure", new { }).ShouldBe(new TimelineText("同意销号", "Closure approved", false));
        Describe("talkScheduled", new { talkAt = "2026-12-24T01:30:00+00:00", place = "县委三楼第一会议室", revision = 1 }).Zh
            .ShouldBe("安排约谈：2026-12-24 09:30，县委三楼第一会议室");
        Describe("somethingUnknown", new { }).Zh.ShouldBe("其他记录");
    }
}
