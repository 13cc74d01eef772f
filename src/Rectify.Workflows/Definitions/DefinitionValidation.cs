using System.Text.Json;

namespace Rectify.Workflows.Definitions;

/// <summary>The outcome of reading a definition: either the definition or every error found (schema and meaning).</summary>
public sealed record DefinitionCheck(WorkflowDefinition? Definition, string? Json, IReadOnlyList<SchemaError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Definition is not null;
}

/// <summary>
/// Validates a definition against <c>workflows/workflow.schema.json</c>, then checks what a schema cannot say
/// (references between parts, ladder order). Every error is reported with its JSON path.
/// </summary>
public sealed class DefinitionValidator(JsonSchemaValidator schema)
{
    public DefinitionCheck Check(string json)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false });
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return new DefinitionCheck(null, null, [new SchemaError(ex.Path ?? "$", $"不是合法的 JSON（第 {ex.LineNumber + 1} 行）/ not valid JSON: {ex.Message}")]);
        }
        var errors = schema.Validate(root).ToList();
        if (errors.Count > 0) return new DefinitionCheck(null, null, errors);
        var definition = root.Deserialize<WorkflowDefinition>(WorkflowDefinition.Json)!;
        errors.AddRange(Semantics(definition));
        return new DefinitionCheck(errors.Count == 0 ? definition : null, root.GetRawText(), errors);
    }

    public static IEnumerable<SchemaError> Semantics(WorkflowDefinition d)
    {
        var phases = d.Phases.Select(p => p.Key).ToList();
        for (var i = 0; i < d.Phases.Count; i++)
        {
            if (phases.IndexOf(d.Phases[i].Key) != i) yield return new SchemaError($"$.phases[{i}].key", $"阶段 {d.Phases[i].Key} 重复 / duplicate phase");
        }
        for (var i = 0; i < d.DeliverableList.Count; i++)
        {
            var deliverable = d.DeliverableList[i];
            if (!phases.Contains(deliverable.Due.Phase))
                yield return new SchemaError($"$.deliverables[{i}].due.phase", $"阶段 {deliverable.Due.Phase} 未在 phases 中定义 / unknown phase");
            if (d.DeliverableList.Take(i).Any(x => x.Key == deliverable.Key))
                yield return new SchemaError($"$.deliverables[{i}].key", $"材料 {deliverable.Key} 重复 / duplicate deliverable");
        }
        var states = d.Item.States.Select(s => s.Key).ToHashSet();
        foreach (var (name, value) in new[] { ("initialState", d.Item.InitialState), ("launchState", d.Item.LaunchState) })
        {
            if (!states.Contains(value)) yield return new SchemaError($"$.item.{name}", $"状态 {value} 未在 states 中定义 / undeclared state");
        }
        for (var i = 0; i < d.Item.ClosedStates.Count; i++)
        {
            if (!states.Contains(d.Item.ClosedStates[i])) yield return new SchemaError($"$.item.closedStates[{i}]", $"状态 {d.Item.ClosedStates[i]} 未在 states 中定义 / undeclared state");
        }
        for (var i = 0; i < d.Item.States.Count; i++)
        {
            if (d.Item.States.Take(i).Any(s => s.Key == d.Item.States[i].Key))
                yield return new SchemaError($"$.item.states[{i}].key", $"状态 {d.Item.States[i].Key} 重复 / duplicate state");
        }
        for (var i = 0; i < d.Item.Events.Count; i++)
        {
            var e = d.Item.Events[i];
            var path = $"$.item.events[{i}]";
            if (d.Item.Events.Take(i).Any(x => x.Type == e.Type)) yield return new SchemaError($"{path}.type", $"事件 {e.Type} 重复 / duplicate event");
            for (var j = 0; j < e.From.Count; j++)
            {
                if (!states.Contains(e.From[j])) yield return new SchemaError($"{path}.from[{j}]", $"状态 {e.From[j]} 未在 states 中定义 / undeclared state");
            }
            if (e.To is not null && !states.Contains(e.To)) yield return new SchemaError($"{path}.to", $"状态 {e.To} 未在 states 中定义 / undeclared state");
            if (e.Type == "requestExtension" && !e.GuardList.Contains("laterDeadline"))
                yield return new SchemaError($"{path}.guards", "延期申请必须包含 laterDeadline 条件 / requestExtension needs the laterDeadline guard");
            if (e.Type == "reopen" && !e.GuardList.Contains("newDeadlineUnlessOngoing"))
                yield return new SchemaError($"{path}.guards", "重新整改必须包含 newDeadlineUnlessOngoing 条件 / reopen needs the newDeadlineUnlessOngoing guard");
        }
        var ladder = d.Escalation.Ladder;
        for (var i = 1; i < ladder.Count; i++)
        {
            if (EscalationLevels.Rank(ladder[i].Level) <= EscalationLevels.Rank(ladder[i - 1].Level))
                yield return new SchemaError($"$.escalation.ladder[{i}].level", "升级级别必须按 urge → supervisionLetter → listedSupervision → admonitoryTalk 递增 / levels must rise");
            if (ladder[i].WorkingDaysAfterDeadline <= ladder[i - 1].WorkingDaysAfterDeadline)
                yield return new SchemaError($"$.escalation.ladder[{i}].workingDaysAfterDeadline", "工作日偏移必须递增 / offsets must increase");
        }
        if (d.Item.LaunchEscalationLevel is { } start && ladder.Count > 0 && EscalationLevels.Rank(start) >= EscalationLevels.Rank(ladder[^1].Level))
            yield return new SchemaError("$.item.launchEscalationLevel", "起始督办级别不能高于或等于升级阶梯的最高级 / must be below the top of the ladder");
        if (d.Scoring?.Grades is { } grades)
        {
            var good = grades.GetValueOrDefault(UnitGrades.Good);
            var fair = grades.GetValueOrDefault(UnitGrades.Fair);
            var average = grades.GetValueOrDefault(UnitGrades.Average);
            if (fair >= good) yield return new SchemaError("$.scoring.grades.较好", "“较好”的分数线必须低于“好” / the 较好 threshold must be below 好");
            if (average >= fair) yield return new SchemaError("$.scoring.grades.一般", "“一般”的分数线必须低于“较好” / the 一般 threshold must be below 较好");
        }
        if (d.Item.Closure?.LeadMayOverride == true && d.Item.Closure.RequireAllUnitsCompleted == false)
            yield return new SchemaError("$.item.closure.leadMayOverride", "不要求各单位完成时无需允许牵头单位越过 / an override needs requireAllUnitsCompleted");
        if (d.PeriodicReports is { } periodic && periodic.Every.EndsWith('M') && periodic.DayOfMonth is null)
            yield return new SchemaError("$.periodicReports.dayOfMonth", "按月报送必须指定 dayOfMonth / monthly reports need dayOfMonth");
        // Durations within sane bounds (issue 19, Domain.Reach): what the schedule arithmetic can always compute.
        if (d.PeriodicReports is { } p2 && Domain.Reach.CadenceProblem(p2.Every) is { } cadence)
            yield return new SchemaError("$.periodicReports.every", cadence);
        if (d.PeriodicReports is { } p3 && DaysOf(p3.ReminderBefore) > MaxLeadDays)
            yield return new SchemaError("$.periodicReports.reminderBefore", $"提醒提前量不能超过 {MaxLeadDays} 天 / at most {MaxLeadDays} days");
        for (var i = 0; i < d.Reminders.BeforeDeadline.Count; i++)
        {
            if (DaysOf(d.Reminders.BeforeDeadline[i]) > MaxLeadDays)
                yield return new SchemaError($"$.reminders.beforeDeadline[{i}]", $"提醒提前量不能超过 {MaxLeadDays} 天 / at most {MaxLeadDays} days");
        }
        if (!LatenessInRange(d.CatchUp.ReminderMaxLateness))
            yield return new SchemaError("$.catchUp.reminderMaxLateness", $"补发时限应在 1 分钟到 {MaxLatenessHours} 小时之间（如 PT12H）/ between one minute and {MaxLatenessHours} hours, e.g. PT12H");
    }

    private const int MaxLeadDays = 366;
    private const int MaxLatenessHours = 720;

    private static long DaysOf(string duration) =>
        duration.Length > 2 && long.TryParse(duration.AsSpan(1, duration.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;

    private static bool LatenessInRange(string duration)
    {
        if (duration.Length < 4 || !duration.StartsWith("PT", StringComparison.Ordinal)) return false;
        if (!long.TryParse(duration.AsSpan(2, duration.Length - 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return false;
        return duration[^1] == 'H' ? n is >= 1 and <= MaxLatenessHours : duration[^1] == 'M' && n is >= 1 and <= MaxLatenessHours * 60;
    }
}
