using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

public static partial class Templates
{
    /// <summary>
    /// An item changed after launch (issue 13): its units hear which fields the issuing office changed and why; a unit
    /// taken off the item (改派) hears that its assignment ended and that no more reminders will come.
    /// </summary>
    private static Draft Changed(MessageFacts f, ChangedMessage c)
    {
        var label = Words.ItemLabelZh(f.Item);
        var labelEn = Cap(Words.ItemLabelEn(f.Item));
        var fieldsZh = string.Join("、", c.Fields.Select(FieldZh));
        var fieldsEn = string.Join(", ", c.Fields.Select(FieldEn));
        if (c.Removed)
        {
            var unit = UnitZh(f);
            return new(
                new Version("【改派】", $"{label}已改由其他单位承担",
                    $"交办单位已调整以下整改问题的责任单位，{unit}不再承担该问题，相关提醒和督办随之停止。已报送的材料仍保留在系统中。",
                    ItemFieldsZh(f, extra: ("调整原因", c.Note)), null),
                new Version("[Reassigned] ", $"{labelEn} is no longer assigned to {UnitEn(f)}",
                    $"The issuing office has changed the units of the following item; {UnitEn(f)} no longer carries it and its reminders stop. What it reported stays on record.",
                    ItemFieldsEn(f, extra: ("Reason", c.Note)), null));
        }
        return new(
            new Version("【变更】", $"{label}的{fieldsZh}已调整",
                $"交办单位调整了以下整改问题的{fieldsZh}，请按调整后的内容继续整改。", ItemFieldsZh(f, withMeasures: true, ("调整原因", c.Note)), "请登录系统查看。"),
            new Version("[Changed] ", $"{labelEn}: {fieldsEn} changed",
                $"The issuing office changed the {fieldsEn} of the following item; please carry on as changed.", ItemFieldsEn(f, withMeasures: true, ("Reason", c.Note)), null));
    }

    private static string FieldZh(string field) => field switch
    {
        "number" => "编号",
        "category" => "类别",
        "title" => "问题表述",
        "description" => "问题描述",
        "measures" => "整改措施",
        "target" => "整改目标",
        "responsibleLeader" => "责任领导",
        "leadUnit" => "牵头单位",
        "units" => "责任单位",
        "milestones" => "阶段性节点",
        "source" => "问题来源",
        _ => "内容",
    };

    private static string FieldEn(string field) => field switch
    {
        "number" => "number",
        "category" => "category",
        "title" => "wording",
        "description" => "description",
        "measures" => "measures",
        "target" => "target",
        "responsibleLeader" => "responsible leader",
        "leadUnit" => "lead unit",
        "units" => "responsible units",
        "milestones" => "milestones",
        "source" => "source",
        _ => "content",
    };
}
