using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Campaigns;

internal sealed record ValidCampaign(
    string Title, string? DocumentNumber, string IssuedByUnit, string? SupervisionUnit, string TimeZone,
    string WorkflowId, int? WorkflowVersion, DateOnly? NoticeDate, IReadOnlyList<Phase> Phases);

/// <summary>A campaign request checked field by field (<see cref="CampaignCommands"/>): the messages go into the validator.</summary>
internal static class CampaignValidation
{
    /// <param name="now">For the reach of dates (<see cref="Reach"/>): the notice date at most 10 years ahead of today, phases
    /// from 2000-01-01 to 10 years after the notice date (or today, for a campaign without one).</param>
    public static ValidCampaign Validate(Validator v, CampaignRequest r, DateTimeOffset now)
    {
        var title = v.Required("title", r.Title, 300);
        var documentNumber = v.Optional("documentNumber", r.DocumentNumber, 100);
        var issuedBy = v.Code("issuedByUnit", r.IssuedByUnit);
        var supervision = v.Optional("supervisionUnit", r.SupervisionUnit, 64);
        var zone = v.TimeZone("timeZone", r.TimeZone);
        var workflowId = v.Optional("workflow.id", r.Workflow?.Id, 100) ?? CampaignsApi.DefaultWorkflowId;
        if (r.Workflow?.Version is < 1) v.Add("workflow.version", "版本号必须为正整数 / must be a positive integer");

        DateOnly? notice = null;
        if (!string.IsNullOrWhiteSpace(r.NoticeDate))
        {
            if (Validator.TryParseDate(r.NoticeDate, out var d)) notice = d;
            else v.Add("noticeDate", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone ?? TimeZoneInfo.Utc).DateTime);
        if (notice is { } noticeDate && Reach.NoticeDateProblem(noticeDate, today) is { } noticeProblem)
        {
            v.Add("noticeDate", noticeProblem);
            notice = null;
        }
        var basis = notice ?? today;

        var phases = new List<Phase>();
        var list = r.Phases ?? [];
        if (list.Count > 20) v.Add("phases", "阶段不能超过 20 个 / at most 20 phases");
        for (var n = 0; n < Math.Min(list.Count, 20); n++)
        {
            var p = list[n];
            var field = $"phases[{n}]";
            if (p is null) { v.Add(field, "不能为空 / must not be null"); continue; }
            var key = v.Code($"{field}.key", p.Key);
            var okStart = Validator.TryParseDate(p.Start, out var start);
            var okEnd = Validator.TryParseDate(p.End, out var end);
            if (!okStart) v.Add($"{field}.start", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
            if (!okEnd) v.Add($"{field}.end", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
            if (okStart && Reach.DateProblem(start, basis) is { } startProblem) { v.Add($"{field}.start", startProblem); okStart = false; }
            if (okEnd && Reach.DateProblem(end, basis) is { } endProblem) { v.Add($"{field}.end", endProblem); okEnd = false; }
            if (okStart && okEnd && end < start) v.Add($"{field}.end", "结束日期不能早于开始日期 / end is before start");
            if (phases.Any(x => x.Key == key)) v.Add($"{field}.key", "阶段重复 / duplicate phase");
            if (okStart && okEnd) phases.Add(new Phase(key, start, end));
        }
        return new ValidCampaign(title, documentNumber, issuedBy, supervision, zone?.Id ?? "Asia/Shanghai", workflowId, r.Workflow?.Version, notice, phases);
    }
}
