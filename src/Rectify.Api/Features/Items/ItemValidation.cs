using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Items;

public sealed record ItemRequest(
    string? Number, string? Category, string? Title, string? Description, string? Measures, string? Target,
    Guid? ResponsibleLeaderId, string? LeadUnit, IReadOnlyList<string?>? Units, string? Deadline, bool? Ongoing,
    string? ReportEvery, bool? HardDeadline);

/// <summary>An item request that passed field validation; references still to be checked.</summary>
public sealed record ValidItem(
    string? Number, string? Category, string Title, string? Description, string? Measures, string? Target,
    Guid? ResponsibleLeaderId, string LeadUnit, string[] Units, DateOnly? Deadline, bool Ongoing, string? ReportEvery, bool HardDeadline);

public static class ItemValidation
{
    public const int MaxUnits = 200;

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
        var reportEvery = v.Duration("reportEvery", r.ReportEvery) ?? (ongoing ? "P1M" : null);

        var units = new List<string>();
        var list = r.Units ?? [];
        if (list.Count > MaxUnits) v.Add("units", $"责任单位不能超过 {MaxUnits} 个 / at most {MaxUnits} units");
        for (var n = 0; n < Math.Min(list.Count, MaxUnits); n++)
        {
            var code = v.Code($"units[{n}]", list[n]);
            if (code.Length > 0 && !units.Contains(code)) units.Add(code);
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
            deadline, ongoing, reportEvery, r.HardDeadline ?? false);
    }

    /// <summary>422 naming the first field whose reference (unit code, person) does not exist.</summary>
    public static async Task<ProblemHttpResult?> CheckReferencesAsync(NpgsqlConnection connection, ValidItem item, CancellationToken ct)
    {
        var codes = item.Units.Append(item.LeadUnit).Distinct().ToArray();
        var known = (await connection.QueryAsync<string>(new CommandDefinition("select code from units where code = any(@codes)", new { codes }, cancellationToken: ct))).ToHashSet();
        if (!known.Contains(item.LeadUnit))
            return Problems.Unprocessable($"牵头单位 {item.LeadUnit} 不存在 / lead unit does not exist", "leadUnit");
        for (var n = 0; n < item.Units.Length; n++)
        {
            if (!known.Contains(item.Units[n]))
                return Problems.Unprocessable($"责任单位 {item.Units[n]} 不存在 / unit does not exist", $"units[{n}]");
        }
        if (item.ResponsibleLeaderId is { } leader &&
            !await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists(select 1 from people where id = @leader)", new { leader }, cancellationToken: ct)))
            return Problems.Unprocessable("责任领导不存在 / responsible leader does not exist", "responsibleLeaderId");
        return null;
    }
}
