using Rectify.Api.Features.Auth;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Todo;

/// <summary>
/// The kinds of 待办 (API.md <c>GET /api/todo</c>), in the order the list shows them, and which role each waits for.
/// A unit: its parts to sign, reports due, parts due soon to complete, parts sent back, milestones due, plans and reports
/// to submit. The leading-group office: closures and extensions to decide, plans and reports to review. The supervision
/// office: talks to arrange and to record, escalations at its levels.
/// </summary>
public static class TodoKinds
{
    public const string Returned = "returned";
    public const string Acknowledge = "acknowledge";
    public const string Report = "report";
    public const string Complete = "complete";
    public const string Milestone = "milestone";
    public const string SubmitDeliverable = "submitDeliverable";
    public const string DecideClosure = "decideClosure";
    public const string DecideExtension = "decideExtension";
    public const string ReviewDeliverable = "reviewDeliverable";
    public const string ArrangeTalk = "arrangeTalk";
    public const string RecordTalk = "recordTalk";
    public const string Escalation = "escalation";

    /// <summary>A part whose deadline is this many days away or nearer (or past) is "due soon" (the first reminder's lead time).</summary>
    public const int DueSoonDays = 7;

    public static readonly IReadOnlyList<string> Unit = [Returned, Acknowledge, Report, Complete, Milestone, SubmitDeliverable];
    public static readonly IReadOnlyList<string> Office = [DecideClosure, DecideExtension, ReviewDeliverable];
    public static readonly IReadOnlyList<string> Supervision = [ArrangeTalk, RecordTalk, Escalation];

    public static readonly IReadOnlySet<string> All = Unit.Concat(Office).Concat(Supervision).ToHashSet(StringComparer.Ordinal);

    /// <summary>The kinds that can wait for this user (the administrator may decide what an office decides).</summary>
    public static IReadOnlyList<string> For(CurrentUser user) => user.Role switch
    {
        Roles.Unit => Unit,
        Roles.LeadingGroup or Roles.Admin => Office,
        Roles.Supervisor => Supervision,
        _ => [],
    };

    /// <summary>What each kind asks, in the list's words.</summary>
    public static string Label(string kind) => kind switch
    {
        Returned => "退回重办",
        Acknowledge => "待签收",
        Report => "定期报告",
        Complete => "临期待完成",
        Milestone => "阶段性节点",
        SubmitDeliverable => "待报送材料",
        DecideClosure => "销号审核",
        DecideExtension => "延期审批",
        ReviewDeliverable => "材料审核",
        ArrangeTalk => "安排约谈",
        RecordTalk => "记录约谈",
        Escalation => "督办事项",
        _ => kind,
    };

    /// <summary>The page where the thing is done.</summary>
    public static string Url(string kind, Guid? itemId, Guid? deliverableId, Guid? escalationId, Guid campaignId) => kind switch
    {
        DecideClosure => $"/items/{itemId}/closure",
        DecideExtension => $"/items/{itemId}/extension",
        SubmitDeliverable or ReviewDeliverable => $"/deliverables/{deliverableId}",
        ArrangeTalk => $"/supervision?level=admonitoryTalk&campaignId={campaignId}#esc-{escalationId}",
        RecordTalk => $"/items/{itemId}#talks-h",
        Escalation when itemId is null => $"/deliverables/{deliverableId}",
        Escalation => $"/items/{itemId}#esc-h",
        Milestone => $"/items/{itemId}#ms-h",
        _ => $"/items/{itemId}#act-h",
    };
}
