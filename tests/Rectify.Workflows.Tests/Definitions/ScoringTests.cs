using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Tests.Definitions;

/// <summary>Unit scores and grades (issue 12, seed 003) from the shipped definition's rules.</summary>
public sealed class ScoringTests
{
    private static readonly ScoringDefinition Rules = ShippedDefinitions.Load("rectification-campaign").ScoringRules;

    private static UnitRecord Record(int onTime = 0, int overdueDays = 0, int missed = 0, params (string Level, int Count)[] levels) =>
        new("u", 10, 10, onTime, 0, onTime, 0, overdueDays, missed, levels.ToDictionary(l => l.Level, l => l.Count));

    [Fact]
    public void Score_AddsAndDeductsByTheRules_WithTheArithmeticListed()
    {
        // 100 + 3 on time × 1 − 6 overdue days × 1 − urge 2 − supervision letter 5 − 1 missed report × 3 = 87 → 较好.
        var score = Scoring.Score(Rules, Record(onTime: 3, overdueDays: 6, missed: 1, ("urge", 1), ("supervisionLetter", 1)));
        score.Score.ShouldBe(87);
        score.Grade.ShouldBe("较好");
        score.Lines.Select(l => (l.Rule, l.Points)).ShouldBe([
            ("base", 100), ("perItemClosedOnTime", 3), ("perOverdueDay", -6), ("perEscalationLevel.urge", -2),
            ("perEscalationLevel.supervisionLetter", -5), ("perMissedReport", -3)]);
        score.Veto.ShouldBeNull();
    }

    [Theory]
    [InlineData(0, "好")]
    [InlineData(10, "好")]
    [InlineData(11, "较好")]
    [InlineData(20, "较好")]
    [InlineData(21, "一般")]
    [InlineData(30, "一般")]
    [InlineData(31, "较差")]
    [InlineData(500, "较差")]
    public void Grade_FollowsThe90_80_70Thresholds(int overdueDays, string grade)
    {
        var score = Scoring.Score(Rules, Record(overdueDays: overdueDays));
        score.Grade.ShouldBe(grade);
        score.Score.ShouldBeInRange(0, 100);
    }

    [Fact]
    public void Veto_AUnitThatReachedAnAdmonitoryTalk_IsNotGraded好()
    {
        // 100 + 20 on time − 12 (talk) = 108 → capped at 100, but the veto forbids 好.
        var score = Scoring.Score(Rules, Record(onTime: 20, levels: ("admonitoryTalk", 1)));
        score.Score.ShouldBe(100);
        score.Grade.ShouldBe("较好");
        score.Veto.ShouldNotBeNull().ShouldContain("约谈");
    }

    [Fact]
    public void Defaults_WithoutScoringRules_Are90_80_70()
    {
        var score = Scoring.Score(ScoringDefinition.Default, Record(overdueDays: 15));
        score.Score.ShouldBe(85);
        score.Grade.ShouldBe("较好");
    }
}
