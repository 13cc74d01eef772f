using System.Globalization;

namespace Rectify.Workflows.Definitions;

/// <summary>One unit's own record in a campaign (issue 12): its parts of the items, as its assignments say.</summary>
public sealed record UnitRecord(
    string Unit, int Assigned, int Acknowledged, int Completed, int Overdue, int ClosedOnTime, int ClosedLate, int OverdueDays,
    int MissedReports, IReadOnlyDictionary<string, int> LevelsReached)
{
    public int Escalations => LevelsReached.Values.Sum();
}

/// <summary>One line of a score's arithmetic: what was counted, how many, at how many points each, and the result.</summary>
public sealed record ScoreLine(string Rule, string Label, double Quantity, double PointsEach, double Points);

public sealed record UnitScore(double Score, string Grade, IReadOnlyList<ScoreLine> Lines, string? Veto);

/// <summary>Scores and grades a unit by a definition's <see cref="ScoringDefinition"/>. Pure.</summary>
public static class Scoring
{
    public static UnitScore Score(ScoringDefinition rules, UnitRecord record)
    {
        var lines = new List<ScoreLine> { new("base", "基础分 / base", 1, rules.BasePoints, rules.BasePoints) };
        void Add(string rule, string label, double quantity, double each, int sign)
        {
            if (quantity > 0 && each > 0) lines.Add(new ScoreLine(rule, label, quantity, each, sign * quantity * each));
        }
        Add("perItemClosedOnTime", "按时完成 / parts completed on time", record.ClosedOnTime, rules.OnTimePoints, +1);
        Add("perOverdueDay", "逾期工作日 / overdue working days", record.OverdueDays, rules.OverdueDayPoints, -1);
        foreach (var level in EscalationLevels.Ordered.Skip(1))
            Add($"perEscalationLevel.{level}", $"{LevelName(level)} / {level}", record.LevelsReached.GetValueOrDefault(level), rules.LevelPoints(level), -1);
        Add("perMissedReport", "未按期报送进展 / missed periodic reports", record.MissedReports, rules.MissedReportPoints, -1);
        var raw = lines.Sum(l => l.Points);
        var score = Math.Round(Math.Clamp(raw, 0, 100), 1, MidpointRounding.AwayFromZero);
        var grade = rules.Thresholds.First(t => score >= t.Min).Grade;
        string? veto = null;
        foreach (var v in rules.VetoList)
        {
            if (record.LevelsReached.GetValueOrDefault(v.LevelReached) == 0) continue;
            var capped = UnitGrades.Ordered.ToList().IndexOf(v.NotGrade) + 1;
            if (UnitGrades.Ordered.ToList().IndexOf(grade) < capped)
            {
                grade = UnitGrades.Ordered[Math.Min(capped, UnitGrades.Ordered.Count - 1)];
                veto = v.Reason ?? string.Format(CultureInfo.InvariantCulture, "达到“{0}”，不得评为“{1}” / reached {2}", LevelName(v.LevelReached), v.NotGrade, v.LevelReached);
            }
        }
        return new UnitScore(score, grade, lines, veto);
    }

    public static string LevelName(string level) => level switch
    {
        "urge" => "催办",
        "supervisionLetter" => "督办函",
        "listedSupervision" => "挂牌督办",
        "admonitoryTalk" => "约谈",
        _ => level,
    };
}
