using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

public static partial class Templates
{
    /// <summary>
    /// An event on an item its audience hears of. The subject names the decision in the words of office practice
    /// (同意销号, 退回, 同意延期, 不同意延期 …); an event the templates do not know by type is named by the
    /// definition's own name for it, never by its identifier.
    /// </summary>
    private static Draft Decision(MessageFacts f, DecisionMessage d)
    {
        var note = d.Note;
        var label = Words.ItemLabelZh(f.Item);
        var labelEn = Cap(Words.ItemLabelEn(f.Item));
        var unit = f.Item?.LeadUnitName ?? "责任单位";
        List<(string, string)> Zh(string noteLabel, params (string, string?)[] extra) => ItemFieldsZh(f, extra: [.. extra, (noteLabel, note)]);
        List<(string, string)> En(string noteLabel, params (string, string?)[] extra) => ItemFieldsEn(f, extra: [.. extra, (noteLabel, note)]);
        return d.Event switch
        {
            "approveClosure" => new(
                new Version("【销号通过】", $"{label}同意销号", "以下整改问题的销号申请已审核通过，该问题已办结销号。请注意巩固整改成效，防止反弹。", Zh("审核意见"), null),
                new Version("[Closure approved] ", $"{labelEn}: closure approved", "The closure request was approved; the item is closed. Please keep the results from slipping back.", En("Note"), null)),
            "returnClosure" => new(
                new Version("【销号退回】", $"{label}销号申请退回", "以下整改问题的销号申请未通过审核，已退回。请按审核意见补充整改和佐证材料后重新申请销号。", Zh("退回原因"), null),
                new Version("[Closure returned] ", $"{labelEn}: closure returned", "The closure request was returned. Please complete the work and the evidence as noted and apply again.", En("Reason"), null)),
            "approveExtension" => new(
                new Version("【延期批准】", $"{label}同意延期至{Words.ZhShort(d.NewDeadline ?? f.Deadline ?? f.Today)}",
                    $"以下整改问题的延期申请已批准，整改时限调整为{Words.Zh(d.NewDeadline ?? f.Deadline) ?? "新的时限"}，请在新时限内完成整改。",
                    Zh("审核意见"), null),
                new Version("[Extension approved] ", $"{labelEn}: extension approved to {Words.En(d.NewDeadline ?? f.Deadline ?? f.Today)}",
                    $"The extension was approved; the new deadline is {Words.En(d.NewDeadline ?? f.Deadline) ?? "set"}.",
                    En("Note"), null)),
            "rejectExtension" => new(
                new Version("【延期未批准】", $"{label}不同意延期，时限不变",
                    $"以下整改问题的延期申请未获批准，整改时限仍为{Words.Zh(f.Deadline) ?? "原定时限"}，请按原时限完成整改。", Zh("审核意见"), null),
                new Version("[Extension rejected] ", $"{labelEn}: extension rejected, deadline stands",
                    $"The extension was rejected; the deadline stays {Words.En(f.Deadline) ?? "as set"}.", En("Note"), null)),
            "requestClosure" => new(
                new Version("【销号申请】", $"{unit}申请对{label}销号",
                    $"{unit}已完成以下整改问题的整改，申请销号，请审核。", Zh("整改情况"), "请登录系统审核。"),
                new Version("[Closure requested] ", $"{labelEn}: closure requested by {unit}",
                    $"{unit} reports the following item done and requests closure. Please review it.", En("Report"), null)),
            "requestExtension" => new(
                new Version("【延期申请】", $"{unit}申请{label}延期至{Words.ZhShort(d.NewDeadline ?? f.Today)}",
                    $"{unit}申请将以下整改问题的整改时限由{Words.Zh(d.Deadline) ?? "原定时限"}延至{Words.Zh(d.NewDeadline) ?? "新的时限"}，请审核。",
                    Zh("申请理由", ("申请延至", Words.Zh(d.NewDeadline))), "请登录系统审核。"),
                new Version("[Extension requested] ", $"{labelEn}: extension to {Words.En(d.NewDeadline ?? f.Today)} requested",
                    $"{unit} asks to move the deadline of the following item from {Words.En(d.Deadline) ?? "the set date"} to {Words.En(d.NewDeadline) ?? "a later date"}. Please review it.",
                    En("Reason", ("Requested deadline", Words.En(d.NewDeadline))), null)),
            "reopen" => new(
                new Version("【重新整改】", $"{label}重新整改",
                    $"回头看发现以下已销号问题出现反弹，现重新交办整改{(f.Deadline is { } nd ? $"，整改时限为{Words.Zh(nd)}" : "")}。请{unit}立即组织整改并按时报送进展。",
                    Zh("说明"), null),
                new Version("[Reopened] ", $"{labelEn} is reopened",
                    $"A follow-up check found the following closed item has slipped back; it is reopened{(f.Deadline is { } ne ? $" with the deadline {Words.En(ne)}" : "")}.",
                    En("Note"), null)),
            "withdraw" => new(
                new Version("【撤销】", $"{label}已撤销", "以下整改问题已由交办单位撤销，无需继续整改，相关提醒和督办随之停止。", Zh("撤销原因"), null),
                new Version("[Withdrawn] ", $"{labelEn} is withdrawn", "The issuing office has withdrawn the following item; no further work or reminders.", En("Reason"), null)),
            "urge" => new(
                new Version("【催办】", $"{label}请抓紧办理", $"交办单位对以下整改问题进行催办，请{UnitZh(f)}抓紧推进，及时报送进展。", Zh("催办意见"), null),
                new Version("[Urging] ", $"{labelEn}: please push it forward", $"The issuing office urges {UnitEn(f)} on the following item; please push it forward and report progress.", En("Note"), null)),
            _ => new(
                new Version("【整改动态】", $"{label}{NameZh(d)}", $"以下整改问题有新的办理情况：{NameZh(d)}。", Zh("说明"), null),
                new Version("[Update] ", $"{labelEn}: {d.EventNameEn ?? NameZh(d)}", $"There is news on the following item: {d.EventNameEn ?? NameZh(d)}.", En("Note"), null)),
        };
    }

    private static string NameZh(DecisionMessage d) => d.EventName is { Length: > 0 } n ? n : "办理情况更新";

    private static Draft DeliverableDecision(MessageFacts f, DecisionMessage m, DeliverableRef d)
    {
        var labelZh = DeliverableLabelZh(f, d);
        var labelEn = Cap(DeliverableLabelEn(f, d));
        var unit = f.UnitName(d.UnitCode) ?? "报送单位";
        List<(string, string)> Zh(string noteLabel) => DeliverableFieldsZh(f, d, (noteLabel, m.Note));
        List<(string, string)> En(string noteLabel) => DeliverableFieldsEn(f, d, (noteLabel, m.Note));
        return m.Event switch
        {
            "submit" => new(
                new Version("【材料报送】", $"{unit}已报送“{d.Name}”", $"{unit}已报送“{d.Name}”，请审核。", Zh("说明"), "请登录系统审核。"),
                new Version("[Deliverable submitted] ", $"{labelEn} submitted", $"{unit} submitted \"{d.NameEn ?? d.Name}\". Please review it.", En("Note"), null)),
            "accept" => new(
                new Version("【材料采纳】", $"{labelZh}已采纳", $"{unit}报送的“{d.Name}”已审核采纳。", Zh("审核意见"), null),
                new Version("[Deliverable accepted] ", $"{labelEn} accepted", $"\"{d.NameEn ?? d.Name}\" of {unit} was accepted.", En("Note"), null)),
            "return" => new(
                new Version("【材料退回】", $"{labelZh}被退回，请修改后重新报送", $"{unit}报送的“{d.Name}”未通过审核，已退回。请按退回原因修改后重新报送。", Zh("退回原因"), null),
                new Version("[Deliverable returned] ", $"{labelEn} returned", $"\"{d.NameEn ?? d.Name}\" of {unit} was returned; please revise it and submit it again.", En("Reason"), null)),
            _ => new(
                new Version("【材料动态】", $"{labelZh}{NameZh(m)}", $"{labelZh}有新的办理情况：{NameZh(m)}。", Zh("说明"), null),
                new Version("[Deliverable update] ", $"{labelEn}: {m.EventNameEn ?? NameZh(m)}", $"There is news on {labelEn}.", En("Note"), null)),
        };
    }
}
