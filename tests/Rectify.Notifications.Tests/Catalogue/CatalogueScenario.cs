using Microsoft.Extensions.Configuration;
using Rectify.Notifications.Content;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Tests.Catalogue;

/// <summary>
/// The fixed scenario every message of the catalogue is rendered from: a county campaign on Monday 2026-11-23, an
/// item led by 县扶贫办 with 县民政局 sharing it, an ongoing item, 县扶贫办's deliverables, and the offices.
/// </summary>
public static class CatalogueScenario
{
    public static readonly DateOnly Today = new(2026, 11, 23);
    public static readonly DateOnly Overdue = new(2026, 11, 16);
    public static readonly DateOnly Upcoming = new(2026, 11, 30);
    public static readonly DateOnly Far = new(2026, 12, 31);

    public static readonly Guid CampaignId = Guid.Parse("0195f000-0000-7000-8000-000000000001");
    public static readonly Guid ItemId = Guid.Parse("0195f000-0000-7000-8000-000000000003");
    public static readonly Guid OngoingId = Guid.Parse("0195f000-0000-7000-8000-000000000007");
    public static readonly Guid PlanId = Guid.Parse("0195f000-0000-7000-8000-0000000000d1");
    public static readonly Guid EscalationId = Guid.Parse("0195f000-0000-7000-8000-0000000000e8");
    public static readonly Guid PersonId = Guid.Parse("0195f000-0000-7000-8000-0000000000a1");

    public static readonly PublicLinks Links = new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Rectify:PublicBaseUrl"] = "https://rectify.example.cn" }).Build());

    public static readonly CampaignFacts Campaign = new(CampaignId, "龙川县脱贫攻坚考核反馈问题整改工作", "龙整改〔2026〕3号", "Asia/Shanghai",
        "lgo", "龙川县脱贫攻坚领导小组办公室", "dcs", "县委督查室", "[]");

    public static readonly IReadOnlyDictionary<string, string> Units = new Dictionary<string, string>
    {
        ["lgo"] = "龙川县脱贫攻坚领导小组办公室", ["dcs"] = "县委督查室", ["fpb"] = "县扶贫办", ["mzj"] = "县民政局",
    };

    public static ItemFacts Item(DateOnly deadline) => new(ItemId, CampaignId, "3", "部分贫困户“两不愁三保障”底数不清",
        "入户核查发现部分贫困户住房、饮水安全情况底数不清，台账与实际不符。", "组织乡镇逐户核查，建立问题台账，限期完成整改并销号。",
        deadline, deadline, false, "inProgress", "none", "fpb", "县扶贫办", PersonId, "王建国");

    public static readonly ItemFacts Ongoing = new(OngoingId, CampaignId, "7", "压实脱贫攻坚工作责任，健全长效机制", null, "每月报告整改进展。",
        null, null, true, "inProgress", "none", "fpb", "县扶贫办", PersonId, "王建国");

    public static readonly LetterInfo Letter = new(EscalationId, "县委督查室〔2026〕8号", "督办函-县委督查室〔2026〕8号.docx", new DateOnly(2026, 11, 30), [1], "县委督查室");

    public static readonly TalkAppointment Talk = new(new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.FromHours(8)), "县委三楼第一会议室",
        "县扶贫办主要负责人；责任领导王建国；县委督查室、领导小组办公室负责同志", 1);

    /// <summary>One message of the catalogue: its file name, the message, and what the renderer would have found with it.</summary>
    public sealed record Entry(string Name, OutboxMessage Message, ItemFacts? Item, LetterInfo? Letter = null, TalkFacts? Talk = null, IReadOnlyList<DigestLine>? Digest = null);

    public static IEnumerable<Entry> Entries()
    {
        var overdueItem = Item(Overdue);
        var item = new ItemRef(CampaignId, ItemId);
        var share = new AssignmentRef(CampaignId, ItemId, "mzj");
        var periodic = new PeriodicReportRef(CampaignId, OngoingId, Overdue);
        var plan = new DeliverableRef(CampaignId, PlanId, "unitPlan", "单位整改方案", "Unit rectification plan", "fpb", Overdue);
        var planDue = plan with { DueDate = Upcoming };

        yield return new("assigned-lead-unit", new AssignedMessage(new AssignmentRef(CampaignId, ItemId, "fpb"), Far, false, "lead"), Item(Far));
        yield return new("assigned-responsible-unit", new AssignedMessage(share, Far, false, "responsible"), Item(Far));
        yield return new("assigned-ongoing-item", new AssignedMessage(new ItemRef(CampaignId, OngoingId), null, true, "lead"), Ongoing);
        yield return new("assigned-batch-campaign", new AssignedBatchMessage(new CampaignRef(CampaignId), "fpb", 63, Upcoming, ["1", "2", "3", "4", "5"]), null);
        yield return new("reminder-unacknowledged-item", new UnacknowledgedMessage(item, Far), Item(Far));
        yield return new("reminder-deadline-item", new ReminderMessage(item, Upcoming, 7), Item(Upcoming));
        yield return new("reminder-deadline-assignment", new ReminderMessage(share, Upcoming, 7), Item(Upcoming));
        yield return new("reminder-deliverable", new ReminderMessage(planDue, Upcoming, 7), null);
        // A dated step inside an item due later (issue 15.4): the step's date is the message's, the item keeps its deadline.
        yield return new("reminder-milestone-assignment",
            new MilestoneReminderMessage(share, 1, Upcoming, "于11月30日前将全县脱贫户中收入不稳定、转移性收入占比过高的排查出来"), Item(Far));
        yield return new("periodic-report-due", new PeriodicReportMessage(periodic with { ReportDate = Upcoming }, Upcoming), Ongoing);
        foreach (var level in new[] { "urge", "supervisionLetter", "listedSupervision", "admonitoryTalk" })
        {
            var letter = level == "supervisionLetter" ? Letter : null;
            yield return new($"escalation-{Kebab(level)}-item", new EscalationMessage(item, level, "dcs", Overdue), overdueItem, letter);
            yield return new($"escalation-{Kebab(level)}-periodic-report", new EscalationMessage(periodic, level, "dcs", Overdue), Ongoing, letter);
            yield return new($"escalation-{Kebab(level)}-deliverable", new EscalationMessage(plan, level, "dcs", Overdue), null, letter);
        }
        yield return new("escalation-admonitory-talk-item-time-set", new EscalationMessage(item, "admonitoryTalk", "dcs", Overdue, Talk: Talk), overdueItem);
        yield return new("escalation-admonitory-talk-item-moved", new EscalationMessage(item, "admonitoryTalk", "dcs", Overdue,
            Talk: Talk with { At = new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.FromHours(8)), Place = "县政府二楼会议室", Revision = 2 }), overdueItem);
        yield return new("escalation-admonitory-talk-deliverable-time-set", new EscalationMessage(plan, "admonitoryTalk", "dcs", Overdue,
            Talk: Talk with { Attendees = "县扶贫办主要负责人" }), null);
        yield return new("escalation-urge-assignment", new EscalationMessage(share, "urge", "lgo", Overdue), overdueItem);
        yield return new("escalation-supervision-letter-at-launch", new EscalationMessage(item, "supervisionLetter", "dcs", Far, AtLaunch: true), Item(Far), Letter);
        foreach (var (type, name, from, to, note, newDeadline) in Decisions())
            yield return new($"decision-{Kebab(type)}-item", new DecisionMessage(item, type, name, null, from, to, note, newDeadline,
                type == "approveExtension" ? newDeadline : Upcoming, "龙川县脱贫攻坚领导小组办公室"), Item(type == "approveExtension" ? Far : Upcoming));
        yield return new("urge-assignment", new DecisionMessage(share, "urge", "催办", "Urge", "inProgress", "inProgress", "请本周内报送整改进展", null, Upcoming,
            "龙川县脱贫攻坚领导小组办公室"), Item(Upcoming));
        yield return new("changed-item", new ChangedMessage(item, ["measures", "responsibleLeader"], false, "根据县领导分工调整，补充入户核查措施", "lgo-wang"), Item(Upcoming));
        yield return new("changed-removed-unit", new ChangedMessage(share, ["units"], true, "该问题不涉及民政部门，改由县住建局承担", "lgo-wang"), Item(Upcoming));
        yield return new("escalation-supervision-letter-by-hand-assignment", new EscalationMessage(share, "supervisionLetter", "dcs", Upcoming), Item(Upcoming), Letter);
        yield return new("decision-submit-deliverable", new DecisionMessage(planDue, "submit", "提交材料", "Submitted", "pending", "submitted", null, null, Upcoming, "县扶贫办"), null);
        yield return new("decision-accept-deliverable", new DecisionMessage(planDue, "accept", "采纳", "Accepted", "submitted", "accepted", "方案可行", null, Upcoming, "领导小组办公室"), null);
        yield return new("decision-return-deliverable", new DecisionMessage(planDue, "return", "退回", "Returned", "submitted", "returned", "缺少时间表和责任人", null, Upcoming, "领导小组办公室"), null);
        yield return new("phase-start-campaign", new PhaseMessage(new CampaignRef(CampaignId), "rectify", "集中整改", "Rectify", new DateOnly(2026, 11, 23), new DateOnly(2026, 12, 31), "start"), null);
        yield return new("phase-end-campaign", new PhaseMessage(new CampaignRef(CampaignId), "rectify", "集中整改", "Rectify", new DateOnly(2026, 11, 2), Upcoming, "end"), null);
        yield return new("weekly-report-campaign", new WeeklyReportMessage(new CampaignRef(CampaignId), Today, 32, 11, 17, 4, 3, 6, 2), null);
        yield return new("digest-person", new DigestMessage(new PersonRef(PersonId), Today), null, Digest:
        [
            new("messages", "【催办】第3项“部分贫困户“两不愁三保障”底数不清”已逾期7天（其中5个工作日）", "[Urging] Item 3 is 7 days overdue (5 working days)", null),
            new("overdue", "第3项“部分贫困户“两不愁三保障”底数不清”，整改时限2026年11月16日，已逾期7天", "Item 3, due 2026-11-16, 7 days overdue", null),
            new("due", "第5项“村级光伏电站收益分配不规范”，整改时限2026年11月30日", "Item 5, due 2026-11-30", null),
        ]);
        yield return new("notice-unreadable-row", new NoticeMessage(item, null), Item(Upcoming));
    }

    private static IEnumerable<(string Type, string Name, string From, string To, string? Note, DateOnly? NewDeadline)> Decisions()
    {
        yield return ("approveClosure", "同意销号", "closureRequested", "closed", "整改到位，佐证材料齐全", null);
        yield return ("returnClosure", "退回", "closureRequested", "inProgress", "佐证材料不全，缺少入户核查台账", null);
        yield return ("approveExtension", "同意延期", "inProgress", "inProgress", "同意延期一个月", Far);
        yield return ("rejectExtension", "不同意延期", "inProgress", "inProgress", "属硬性时限，不予延期", null);
        yield return ("requestClosure", "申请销号", "inProgress", "closureRequested", "已逐户核查，台账已更新，附核查表", null);
        yield return ("requestExtension", "申请延期", "inProgress", "inProgress", "需等待省级系统数据比对", Far);
        yield return ("reopen", "重新整改（回头看发现反弹）", "closed", "inProgress", "回头看抽查发现3户台账仍与实际不符", null);
        yield return ("withdraw", "撤销", "inProgress", "withdrawn", "该问题已并入第5项整改", null);
        yield return ("urge", "催办", "inProgress", "inProgress", "请本周内报送整改进展", null);
        yield return ("transferReview", "转交复核", "inProgress", "inProgress", null, null);
    }

    private static string Kebab(string camel) => string.Concat(camel.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>The facts the renderer would work out for an entry, with Monday–Friday as the working week.</summary>
    public static async Task<MessageFacts> FactsAsync(Entry e, string language)
    {
        var deadline = MessageRenderer.DeadlineOf(e.Message, e.Item);
        var (left, overdue, working) = await MessageRenderer.CountAsync(e.Message, e.Item, deadline, Today, (a, b, _) => Task.FromResult(WorkingDays(a, b)), default);
        return new MessageFacts(1, e.Message, language, MessageChecker.Recipient, "县扶贫办", e.Item, Campaign, Today, deadline, left, overdue, working,
            MessageRenderer.LinkOf(Links, e.Message, e.Item, Campaign), Links.BaseUrl, e.Letter, e.Digest ?? [], Units, e.Talk ?? MessageRenderer.TalkOf(e.Message));
    }

    private static int WorkingDays(DateOnly after, DateOnly upTo)
    {
        var n = 0;
        for (var d = after.AddDays(1); d <= upTo; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) n++;
        return n;
    }
}
