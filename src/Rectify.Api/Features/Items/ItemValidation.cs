using Dapper;
using Npgsql;
using Rectify.Api.Infrastructure;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Items;

public sealed record ItemRequest(
    string? Number, string? Category, string? Title, string? Description, string? Measures, string? Target,
    Guid? ResponsibleLeaderId, string? LeadUnit, IReadOnlyList<string?>? Units, string? Deadline, bool? Ongoing,
    string? ReportEvery, bool? HardDeadline, string? Note = null, string? Source = null, IReadOnlyList<MilestoneRequest?>? Milestones = null);

/// <summary>
/// A dated step of an item as a client sends it (API.md <c>milestones</c>): <c>{date, text}</c>, with the <c>seq</c> of
/// an existing one when changing a launched item's milestones (one without it that has an existing milestone's date
/// and text is that milestone; else it is new).
/// </summary>
public sealed record MilestoneRequest(string? Date, string? Text, int? Seq = null);

/// <summary>A dated step of an item: by when, and what is due then; <paramref name="Seq"/> names an existing one in an edit.</summary>
public sealed record ItemMilestone(DateOnly Date, string Text,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Seq = null);

/// <summary>An item request that passed field validation; references still to be checked.</summary>
public sealed record ValidItem(
    string? Number, string? Category, string Title, string? Description, string? Measures, string? Target,
    Guid? ResponsibleLeaderId, string LeadUnit, string[] Units, DateOnly? Deadline, bool Ongoing, string? ReportEvery, bool HardDeadline,
    string? Source = null, IReadOnlyList<ItemMilestone>? Milestones = null, string? DeadlineText = null);

/// <summary>
/// Field rules of an item, shared by the API and the importer. Range rules (docs/reliability.md "Hostile input",
/// <see cref="Reach"/>): a deadline from 2000-01-01 to 10 years after the campaign's notice date (or creation), a
/// report cadence from P1D to P1Y. <see cref="Validate"/> checks what needs no campaign (the cadence, and dates
/// against <see cref="AbsoluteLatest"/>); <see cref="CheckReachAsync"/> checks a date against its campaign.
/// </summary>
public static class ItemValidation
{
    public const int MaxUnits = 200;

    public const int MaxMilestones = 20;

    /// <summary>No date of any campaign is later than this (what <see cref="Validate"/> checks without a campaign).</summary>
    public static readonly DateOnly AbsoluteLatest = new(2100, 12, 31);

    /// <summary>A date in range regardless of the campaign: 2000-01-01 to <see cref="AbsoluteLatest"/>.</summary>
    public static void DateInAbsoluteRange(Validator v, string field, DateOnly? date)
    {
        if (date is not { } d) return;
        if (d < Reach.Earliest) v.Add(field, $"日期不能早于 {Reach.Earliest:yyyy-MM-dd} / the date cannot be before {Reach.Earliest:yyyy-MM-dd}");
        else if (d > AbsoluteLatest) v.Add(field, $"日期不能晚于 {AbsoluteLatest:yyyy-MM-dd} / the date cannot be after {AbsoluteLatest:yyyy-MM-dd}");
    }

    /// <summary>A campaign's basis for <see cref="Reach"/> (its notice date, else its creation day), or null when it does not exist.</summary>
    public static async Task<DateOnly?> ReachBasisAsync(NpgsqlConnection connection, Guid campaignId, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ReachRow>(new CommandDefinition(
            "select notice_date as NoticeDate, created_at as CreatedAt, time_zone as TimeZone from campaigns where id = @campaignId", new { campaignId }, tx, cancellationToken: ct));
        return row is null ? null : Reach.Basis(row.NoticeDate, row.CreatedAt, row.TimeZone);
    }

    private sealed record ReachRow(DateOnly? NoticeDate, DateTimeOffset CreatedAt, string TimeZone);

    /// <summary>
    /// 422 naming the first of the item's dates (deadline, milestones) beyond its campaign's reach, or the first
    /// milestone after the item's deadline (a step of the item falls within its time limit), else null.
    /// </summary>
    public static async Task<Refusal?> CheckItemReachAsync(NpgsqlConnection connection, Guid campaignId, ValidItem item, CancellationToken ct)
    {
        var steps = item.Milestones ?? [];
        if (!item.Ongoing && item.Deadline is { } limit)
        {
            for (var n = 0; n < steps.Count; n++)
            {
                if (steps[n].Date > limit)
                    return Refusal.Unprocessable(MilestoneAfterDeadline(steps[n].Date, limit), $"milestones[{n}].date");
            }
        }
        var basis = await ReachBasisAsync(connection, campaignId, ct);
        if (basis is null) return null;
        if (item.Deadline is { } deadline && Reach.DateProblem(deadline, basis.Value) is { } problem) return Refusal.Unprocessable(problem, "deadline");
        for (var n = 0; n < steps.Count; n++)
        {
            if (Reach.DateProblem(steps[n].Date, basis.Value) is { } late) return Refusal.Unprocessable(late, $"milestones[{n}].date");
        }
        return null;
    }

    public static string MilestoneAfterDeadline(DateOnly date, DateOnly deadline) =>
        $"阶段性节点日期 {date:yyyy-MM-dd} 晚于问题的整改时限 {deadline:yyyy-MM-dd}：节点应在整改时限之内 / a milestone cannot be after the item's deadline";

    /// <summary>422 naming <paramref name="field"/> when <paramref name="date"/> is beyond its campaign's reach, else null.</summary>
    public static async Task<Refusal?> CheckReachAsync(NpgsqlConnection connection, Guid campaignId, DateOnly? date, string field, CancellationToken ct)
    {
        if (date is not { } d) return null;
        var basis = await ReachBasisAsync(connection, campaignId, ct);
        if (basis is null) return null;
        return Reach.DateProblem(d, basis.Value) is { } problem ? Refusal.Unprocessable(problem, field) : null;
    }

    public static ValidItem Validate(Validator v, ItemRequest r)
    {
        var ongoing = r.Ongoing ?? false;
        DateOnly? deadline = null;
        if (!string.IsNullOrWhiteSpace(r.Deadline))
        {
            if (Validator.TryParseDate(r.Deadline, out var d)) deadline = d;
            else v.Add("deadline", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
        }
        else if (!ongoing)
        {
            v.Add("deadline", "请填写整改时限，或标记为长期坚持 / a deadline is required unless the item is ongoing");
        }
        if (ongoing && deadline is not null) v.Add("deadline", "长期坚持的问题不设截止日期 / an ongoing item has no deadline");
        DateInAbsoluteRange(v, "deadline", deadline);
        var cadence = v.Duration("reportEvery", r.ReportEvery);
        if (cadence is not null && Reach.CadenceProblem(cadence) is { } cadenceProblem) v.Add("reportEvery", cadenceProblem);
        var reportEvery = cadence ?? (ongoing ? "P1M" : null);

        var units = new List<string>();
        var list = r.Units ?? [];
        if (list.Count > MaxUnits) v.Add("units", $"责任单位不能超过 {MaxUnits} 个 / at most {MaxUnits} units");
        for (var n = 0; n < Math.Min(list.Count, MaxUnits); n++)
        {
            var code = v.Code($"units[{n}]", list[n]);
            if (code.Length > 0 && !units.Contains(code)) units.Add(code);
        }
        var milestones = new List<ItemMilestone>();
        var steps = r.Milestones ?? [];
        if (steps.Count > MaxMilestones) v.Add("milestones", $"阶段性节点不能超过 {MaxMilestones} 个 / at most {MaxMilestones} milestones");
        for (var n = 0; n < Math.Min(steps.Count, MaxMilestones); n++)
        {
            var text = v.Required($"milestones[{n}].text", steps[n]?.Text, 500);
            if (!Validator.TryParseDate(steps[n]?.Date, out var date)) { v.Add($"milestones[{n}].date", "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD"); continue; }
            DateInAbsoluteRange(v, $"milestones[{n}].date", date);
            if (steps[n]?.Seq is { } seq && steps.Take(n).Any(s => s?.Seq == seq))
                v.Add($"milestones[{n}].seq", $"阶段性节点 {seq} 重复出现 / milestone {seq} is listed twice");
            if (text.Length > 0) milestones.Add(new ItemMilestone(date, text, steps[n]?.Seq));
        }
        return new ValidItem(
            v.Optional("number", r.Number, 32),
            v.Optional("category", r.Category, 200),
            v.Required("title", r.Title, 500),
            v.OptionalMultiline("description", r.Description, 20_000),
            v.OptionalMultiline("measures", r.Measures, 20_000),
            v.OptionalMultiline("target", r.Target, 5_000),
            r.ResponsibleLeaderId,
            v.Code("leadUnit", r.LeadUnit),
            units.ToArray(),
            deadline, ongoing, reportEvery, r.HardDeadline ?? false,
            v.Optional("source", r.Source, 50), r.Milestones is null ? null : milestones);
    }

    /// <summary>422 naming the first field whose reference (unit code, person) does not exist.</summary>
    public static async Task<Refusal?> CheckReferencesAsync(NpgsqlConnection connection, ValidItem item, CancellationToken ct)
    {
        var codes = item.Units.Append(item.LeadUnit).Distinct().ToArray();
        var known = (await connection.QueryAsync<string>(new CommandDefinition("select code from units where code = any(@codes)", new { codes }, cancellationToken: ct))).ToHashSet();
        if (!known.Contains(item.LeadUnit))
            return Refusal.Unprocessable($"牵头单位 {item.LeadUnit} 不存在 / lead unit does not exist", "leadUnit");
        for (var n = 0; n < item.Units.Length; n++)
        {
            if (!known.Contains(item.Units[n]))
                return Refusal.Unprocessable($"责任单位 {item.Units[n]} 不存在 / unit does not exist", $"units[{n}]");
        }
        if (item.Source is { } source &&
            !await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists(select 1 from item_sources where name = @source)", new { source }, cancellationToken: ct)))
            return Refusal.Unprocessable($"问题来源“{source}”不在来源列表中，请先在“问题来源”中添加 / unknown source", "source");
        if (item.ResponsibleLeaderId is { } leader &&
            !await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists(select 1 from people where id = @leader)", new { leader }, cancellationToken: ct)))
            return Refusal.Unprocessable("责任领导不存在 / responsible leader does not exist", "responsibleLeaderId");
        return null;
    }
}
