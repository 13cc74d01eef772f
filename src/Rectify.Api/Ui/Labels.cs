namespace Rectify.Api.Ui;

/// <summary>Display names of the closed vocabularies (API wire names → Chinese, translated by <see cref="UiText"/>).</summary>
public static class Labels
{
    public static readonly IReadOnlyDictionary<string, string> ItemState = new Dictionary<string, string>
    {
        ["draft"] = "草稿", ["assigned"] = "已交办", ["inProgress"] = "整改中", ["closureRequested"] = "申请销号", ["closed"] = "已销号",
        ["withdrawn"] = "已撤销",
    };

    public static readonly IReadOnlyDictionary<string, string> CampaignState = new Dictionary<string, string>
    {
        ["draft"] = "未启动", ["active"] = "进行中", ["closed"] = "已结束",
    };

    public static readonly IReadOnlyDictionary<string, string> Light = new Dictionary<string, string>
    {
        ["green"] = "绿灯", ["yellow"] = "黄灯", ["red"] = "红灯",
    };

    public static readonly IReadOnlyDictionary<string, string> Escalation = new Dictionary<string, string>
    {
        ["none"] = "无", ["urge"] = "催办", ["supervisionLetter"] = "督办函", ["listedSupervision"] = "挂牌督办", ["admonitoryTalk"] = "约谈",
    };

    public static readonly IReadOnlyDictionary<string, string> Role = new Dictionary<string, string>
    {
        ["admin"] = "系统管理员", ["leadingGroup"] = "领导小组办公室", ["unit"] = "责任单位", ["supervisor"] = "督查室",
    };

    public static readonly IReadOnlyDictionary<string, string> UnitKind = new Dictionary<string, string>
    {
        ["leadingGroup"] = "领导小组", ["department"] = "部门", ["township"] = "乡镇", ["village"] = "村", ["supervisionOffice"] = "督查室", ["other"] = "其他",
    };

    public static readonly IReadOnlyDictionary<string, string> Phase = new Dictionary<string, string>
    {
        ["plan"] = "制定方案", ["rectify"] = "集中整改", ["supervise"] = "督导整改", ["report"] = "信息报送",
    };

    public static readonly IReadOnlyDictionary<string, string> Event = new Dictionary<string, string>
    {
        ["launch"] = "启动", ["assign"] = "交办", ["acknowledge"] = "签收", ["progress"] = "报送进展", ["requestClosure"] = "申请销号",
        ["approveClosure"] = "同意销号", ["returnClosure"] = "退回", ["requestExtension"] = "申请延期",
        ["approveExtension"] = "同意延期", ["rejectExtension"] = "驳回延期", ["reopen"] = "重新打开", ["complete"] = "本单位整改完成",
        ["withdraw"] = "撤销", ["urge"] = "催办",
    };

    /// <summary>A unit's own part of an item (分解交办).</summary>
    public static readonly IReadOnlyDictionary<string, string> AssignmentState = new Dictionary<string, string>
    {
        ["assigned"] = "未签收", ["inProgress"] = "整改中", ["completed"] = "已完成", ["withdrawn"] = "已撤销",
    };

    public static readonly IReadOnlyDictionary<string, string> AssignmentRole = new Dictionary<string, string>
    {
        ["lead"] = "牵头单位", ["responsible"] = "责任单位",
    };

    /// <summary>Journal entry types (events and timers) as the timeline shows them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Journal = new Dictionary<string, string>
    {
        ["launch"] = "交办", ["campaignLaunched"] = "整改工作启动", ["acknowledge"] = "签收", ["progress"] = "报送进展",
        ["requestClosure"] = "申请销号", ["approveClosure"] = "同意销号", ["returnClosure"] = "退回",
        ["requestExtension"] = "申请延期", ["approveExtension"] = "同意延期", ["rejectExtension"] = "驳回延期", ["reopen"] = "重新打开",
        ["complete"] = "本单位整改完成", ["withdraw"] = "撤销", ["urge"] = "催办", ["changed"] = "修改/改派", ["campaignClosed"] = "整改工作结束",
        ["reminder"] = "到期提醒", ["unacknowledgedReminder"] = "未签收提醒", ["periodicReminder"] = "定期报告提醒",
        ["escalation"] = "升级督办", ["phaseStarted"] = "阶段开始", ["timerSkipped"] = "定时任务跳过",
        ["submit"] = "报送材料", ["accept"] = "采纳材料", ["return"] = "退回材料", ["talk"] = "约谈记录",
    };

    public static readonly IReadOnlyDictionary<string, string> NotificationKind = new Dictionary<string, string>
    {
        ["assigned"] = "交办通知", ["reminder"] = "到期提醒", ["escalation"] = "督办", ["phase"] = "阶段通知", ["digest"] = "汇总",
        ["periodicReport"] = "定期报告提醒", ["decision"] = "审核结果", ["deliverable"] = "材料报送",
        ["urge"] = "催办", ["changed"] = "变更通知",
    };

    public static readonly IReadOnlyDictionary<string, string> NotificationStatus = new Dictionary<string, string>
    {
        ["pending"] = "待发送", ["sent"] = "已发送", ["failed"] = "发送失败", ["dead"] = "死信",
    };

    public static readonly IReadOnlyDictionary<string, string> Channel = new Dictionary<string, string>
    {
        ["email"] = "邮件", ["wecom"] = "企业微信", ["dingtalk"] = "钉钉", ["feishu"] = "飞书", ["webhook"] = "Webhook", ["sms"] = "短信", ["inbox"] = "站内信",
    };

    public static readonly IReadOnlyDictionary<string, string> Deliverable = new Dictionary<string, string>
    {
        ["unitPlan"] = "单位整改方案", ["unitReport"] = "单位整改情况报告",
    };

    public static readonly IReadOnlyDictionary<string, string> DeliverableState = new Dictionary<string, string>
    {
        ["pending"] = "待报送", ["submitted"] = "已报送", ["accepted"] = "已采纳", ["returned"] = "已退回",
    };

    public static string Of(this IReadOnlyDictionary<string, string> labels, string? key, UiText text) =>
        key is null ? "" : labels.TryGetValue(key, out var zh) ? text[zh] : key;
}
