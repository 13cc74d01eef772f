using System.Globalization;
using System.Text.Json;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Api.Features.Runtime;

/// <summary>A journal entry as a person reads it: Chinese, English, and whether it is system bookkeeping.</summary>
/// <param name="Bookkeeping">A skipped or superseded step, a check that found nothing to do: folded into one line a person can open.</param>
public sealed record TimelineText(string Zh, string En, bool Bookkeeping);

/// <summary>
/// Words for the timeline (issue 14 §7): never a raw type or step name. The definition names its own events; the
/// runtime's entries (reminders, escalations, skipped steps) are described here from their data.
/// </summary>
public static class TimelineWords
{
    private static readonly Dictionary<string, (string Zh, string En)> Levels = new(StringComparer.Ordinal)
    {
        ["urge"] = ("催办", "urging"), ["supervisionLetter"] = ("督办函", "supervision letter"),
        ["listedSupervision"] = ("挂牌督办", "listed supervision"), ["admonitoryTalk"] = ("约谈", "admonitory talk"), ["none"] = ("无", "none"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> Known = new(StringComparer.Ordinal)
    {
        ["launch"] = ("交办", "Assigned"), ["campaignLaunched"] = ("整改工作启动", "Campaign launched"),
        ["acknowledge"] = ("签收", "Acknowledged"), ["progress"] = ("报送进展", "Progress reported"), ["complete"] = ("本单位整改完成", "Own part completed"),
        ["requestClosure"] = ("申请销号", "Closure requested"), ["approveClosure"] = ("同意销号", "Closure approved"), ["returnClosure"] = ("退回", "Closure returned"),
        ["requestExtension"] = ("申请延期", "Extension requested"), ["approveExtension"] = ("同意延期", "Extension approved"),
        ["rejectExtension"] = ("不同意延期", "Extension rejected"), ["reopen"] = ("重新整改（回头看发现反弹）", "Reopened"),
        ["withdraw"] = ("撤销", "Withdrawn"), ["urge"] = ("催办", "Urged"), ["changed"] = ("修改问题信息", "Item changed"),
        ["unacknowledgedReminder"] = ("未签收提醒", "Reminder to acknowledge"),
        ["submit"] = ("报送材料", "Deliverable submitted"), ["accept"] = ("采纳材料", "Deliverable accepted"), ["return"] = ("退回材料", "Deliverable returned"),
    };

    private static readonly Dictionary<string, (string Zh, string En)> Reasons = new(StringComparer.Ordinal)
    {
        ["stale"] = ("问题状态或时限已变化", "the item or its deadline changed"), ["late"] = ("超过补发时限", "too late to send"),
        ["superseded"] = ("已被后续步骤取代", "a later step was already due"), ["acknowledged"] = ("各单位均已签收", "every unit had acknowledged"),
        ["noDeadline"] = ("没有整改时限", "no deadline"), ["notPeriodic"] = ("不是定期报告问题", "not a periodic item"),
        ["unknownStep"] = ("流程定义或日历已变化", "the definition or calendar changed"), ["alreadyAtLevel"] = ("已处于该级别或更高级别", "already at that level or higher"),
        ["campaignNotActive"] = ("整改工作未在进行中", "the campaign is not active"),
    };

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;

    private static (string Zh, string En) Level(string? level) =>
        level is not null && Levels.TryGetValue(level, out var l) ? l : ("督办", "escalation");

    private static string ZhDate(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";

    private static string EnDate(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A timer step in words: "到期前7天提醒", "2026年7月25日定期报告的催办", "“制定方案”阶段开始".</summary>
    public static (string Zh, string En) Step(string? step)
    {
        if (string.IsNullOrEmpty(step)) return ("定时任务", "scheduled step");
        var parts = step.Split(':');
        if (parts[0] == "periodic" && parts.Length >= 3
            && DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due))
        {
            var inner = Step(string.Join(':', parts.Skip(2)));
            return parts[2] == "reminder"
                ? ($"{ZhDate(due)}定期报告提醒", $"reminder of the {EnDate(due)} periodic report")
                : ($"{ZhDate(due)}定期报告的{inner.Zh}", $"{inner.En} over the {EnDate(due)} periodic report");
        }
        if (parts[0] == "reminder" && parts.Length == 2)
        {
            if (parts[1] == "unacknowledged") return ("未签收提醒", "reminder to acknowledge");
            if (parts[1].StartsWith("T-", StringComparison.Ordinal)) return ($"到期前{parts[1][2..]}天提醒", $"reminder {parts[1][2..]} days before the deadline");
        }
        if (parts[0] == "escalation" && parts.Length == 2) return (Level(parts[1]).Zh, Level(parts[1]).En);
        if (parts[0] == "phase" && parts.Length == 3) return (parts[2] == "end" ? "阶段结束提示" : "阶段开始提示", parts[2] == "end" ? "phase end notice" : "phase start notice");
        return ("定时任务", "scheduled step");
    }

    public static TimelineText Describe(string type, JsonElement data, WorkflowDefinition? definition, TimeZoneInfo zone)
    {
        var outcome = Text(data, "outcome");
        switch (type)
        {
            case "timerSkipped":
            {
                var step = Step(Text(data, "step"));
                (string Zh, string En) reason = Text(data, "outcome") is { } o && Reasons.TryGetValue(o, out var r) ? r : ("无需发送", "nothing to send");
                return new($"未发送：{step.Zh}（{reason.Zh}）", $"Not sent: {step.En} ({reason.En})", true);
            }
            case "periodicReportReceived":
            {
                var step = Text(data, "step");
                var due = step is not null && step.Split(':') is [_, var date, ..] ? date : null;
                return DateOnly.TryParseExact(due, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? new($"{ZhDate(d)}的整改进展已报送，不再督办", $"Progress report of {EnDate(d)} received; no further escalation", true)
                    : new("整改进展已报送，不再督办", "Progress report received; no further escalation", true);
            }
            case "reminder":
            {
                var step = Step(Text(data, "step"));
                return new($"发出{step.Zh}", $"Sent the {step.En}", false);
            }
            case "periodicReminder":
            {
                var step = Step(Text(data, "step"));
                return new($"发出{step.Zh}", $"Sent the {step.En}", false);
            }
            case "escalation":
            {
                var level = Level(Text(data, "level"));
                var step = Text(data, "step") ?? "";
                var about = step.StartsWith("periodic:", StringComparison.Ordinal) ? Step(step) : (level.Zh, level.En);
                return outcome == "superseded"
                    ? new($"升级为{level.Zh}（已被更高一级取代，未单独发送）", $"Escalated to {level.En} (superseded by a higher step, not sent on its own)", true)
                    : new($"升级督办：{about.Zh}", $"Escalated: {about.En}", false);
            }
            case "talkScheduled":
            {
                var at = Text(data, "talkAt");
                var when = DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                    ? LocalTime.InZone(t, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
                var place = Text(data, "place") ?? "";
                var moved = Text(data, "revision") is { } rev && rev != "1";
                return new($"{(moved ? "调整约谈安排" : "安排约谈")}：{when}，{place}", $"{(moved ? "Admonitory talk moved" : "Admonitory talk set")}: {when}, {place}", false);
            }
            case "phaseStarted":
                return new("阶段提示", "Phase notice", false);
        }
        // The product's own words for the events it knows (one vocabulary with the item page); a definition's own event by its name.
        if (Known.TryGetValue(type, out var k)) return new(k.Zh, k.En, false);
        if (definition?.Event(type) is { } e) return new(e.Name, e.NameEn ?? e.Name, false);
        return new("其他记录", "Other entry", false);
    }
}
