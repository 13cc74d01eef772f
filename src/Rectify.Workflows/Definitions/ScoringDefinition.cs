namespace Rectify.Workflows.Definitions;

/// <summary>
/// How a campaign scores each unit from its own record (issue 12, seed 003): a base, points for each part completed
/// on time, deductions per overdue day, per escalation level reached and per missed periodic report, kept within
/// 0..100, then graded by thresholds (好 ≥ 90, 较好 ≥ 80, 一般 ≥ 70, else 较差) and vetoes (e.g. reached 约谈 → not 好).
/// </summary>
public sealed record ScoringDefinition(
    double? Base, double? PerItemClosedOnTime, double? PerOverdueDay, IReadOnlyDictionary<string, double>? PerEscalationLevel,
    double? PerMissedReport, IReadOnlyDictionary<string, double>? Grades, IReadOnlyList<ScoringVeto>? Vetoes)
{
    public static readonly ScoringDefinition Default = new(null, null, null, null, null, null, null);

    public double BasePoints => Base ?? 100;
    public double OnTimePoints => PerItemClosedOnTime ?? 0;
    public double OverdueDayPoints => PerOverdueDay ?? 1;
    public double MissedReportPoints => PerMissedReport ?? 2;
    public IReadOnlyList<ScoringVeto> VetoList => Vetoes ?? [];

    private static readonly Dictionary<string, double> DefaultLevels = new(StringComparer.Ordinal)
    {
        ["urge"] = 2, ["supervisionLetter"] = 5, ["listedSupervision"] = 8, ["admonitoryTalk"] = 12,
    };

    public double LevelPoints(string level) =>
        PerEscalationLevel is { } custom ? custom.GetValueOrDefault(level) : DefaultLevels.GetValueOrDefault(level);

    /// <summary>The grades from best to worst with their lower bounds; 较差 is everything below 一般.</summary>
    public IReadOnlyList<(string Grade, double Min)> Thresholds =>
    [
        (UnitGrades.Good, Grades?.GetValueOrDefault(UnitGrades.Good) ?? 90),
        (UnitGrades.Fair, Grades?.GetValueOrDefault(UnitGrades.Fair) ?? 80),
        (UnitGrades.Average, Grades?.GetValueOrDefault(UnitGrades.Average) ?? 70),
        (UnitGrades.Poor, double.NegativeInfinity),
    ];
}

/// <summary>A veto: a unit whose record reached <paramref name="LevelReached"/> cannot be graded <paramref name="NotGrade"/> or better.</summary>
public sealed record ScoringVeto(string LevelReached, string NotGrade, string? Reason);

public static class UnitGrades
{
    public const string Good = "好";
    public const string Fair = "较好";
    public const string Average = "一般";
    public const string Poor = "较差";
    public static readonly IReadOnlyList<string> Ordered = [Good, Fair, Average, Poor];
}
