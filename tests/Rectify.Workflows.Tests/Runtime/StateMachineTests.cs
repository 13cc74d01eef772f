using Rectify.Workflows.Runtime;
using Rectify.Workflows.Tests.Definitions;

namespace Rectify.Workflows.Tests.Runtime;

/// <summary>Every state × event × role of the shipped rectification-campaign definition, against a table written here.</summary>
public sealed class StateMachineTests
{
    private static readonly Workflows.Definitions.WorkflowDefinition D = ShippedDefinitions.Load("rectification-campaign");
    private static readonly DateOnly Today = new(2026, 6, 1);

    private const string LU = ActorRoles.LeadUnit, RU = ActorRoles.ResponsibleUnit, LG = ActorRoles.LeadingGroup, SO = ActorRoles.SupervisionOffice, AD = ActorRoles.Admin;

    // event → (from states, to state or null when unchanged, roles)
    private static readonly Dictionary<string, (string[] From, string? To, string[] Roles)> Expected = new()
    {
        ["acknowledge"] = (["assigned"], "inProgress", [LU, RU, AD]),
        ["progress"] = (["inProgress"], "inProgress", [LU, RU, AD]),
        ["complete"] = (["assigned", "inProgress", "closureRequested"], null, [RU, LG, AD]),
        ["requestClosure"] = (["inProgress"], "closureRequested", [LU, AD]),
        ["approveClosure"] = (["closureRequested"], "closed", [LG, AD]),
        ["returnClosure"] = (["closureRequested"], "inProgress", [LG, AD]),
        ["requestExtension"] = (["assigned", "inProgress"], null, [LU, RU, AD]),
        ["approveExtension"] = (["assigned", "inProgress", "closureRequested"], null, [LG, AD]),
        ["rejectExtension"] = (["assigned", "inProgress", "closureRequested"], null, [LG, AD]),
        ["reopen"] = (["closed"], "inProgress", [SO, LG, AD]),
    };

    public static IEnumerable<object[]> Combinations() =>
        from state in new[] { "draft", "assigned", "inProgress", "closureRequested", "closed" }
        from e in Expected.Keys
        from role in new[] { LU, RU, LG, SO, AD, "nobody" }
        select new object[] { state, e, role };

    private static ItemFacts Facts(string state, string e) => new(state, "ua", ["ua", "ub"], "lgo", "dcs", Ongoing: false, HardDeadline: false,
        EffectiveDeadline: new DateOnly(2026, 6, 22), PendingExtension: e is "approveExtension" or "rejectExtension" ? new DateOnly(2026, 7, 31) : null);

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Decide_StateEventRole_MatchesTheTable(string state, string e, string role)
    {
        var roles = role == "nobody" ? new HashSet<string>() : new HashSet<string> { role };
        var input = new EventInput("说明", new DateOnly(2026, 8, 31), 1);
        var decision = StateMachine.Decide(D, Facts(state, e), roles, e, input, Today);
        var (from, to, allowedRoles) = Expected[e];
        if (from.Contains(state) && allowedRoles.Contains(role))
        {
            var allowed = decision.ShouldBeOfType<Allowed>();
            allowed.ToState.ShouldBe(to ?? state);
            StateMachine.AllowedEvents(D, Facts(state, e), roles).ShouldContain(e);
        }
        else
        {
            var refused = decision.ShouldBeOfType<Refused>();
            refused.Message.ShouldContain(state);
            refused.Message.ShouldContain(e);
            StateMachine.AllowedEvents(D, Facts(state, e), roles).ShouldNotContain(e);
        }
    }

    [Theory]
    [InlineData("requestClosure", null, 1, "note")]
    [InlineData("requestClosure", "已整改", 0, "attachmentIds")]
    [InlineData("progress", " ", 0, "note")]
    [InlineData("returnClosure", null, 0, "note")]
    public void Decide_InputGuards_NameTheField(string e, string? note, int attachments, string field)
    {
        var state = e == "returnClosure" ? "closureRequested" : "inProgress";
        var roles = new HashSet<string> { e == "returnClosure" ? LG : LU };
        var decision = StateMachine.Decide(D, Facts(state, e), roles, e, new EventInput(note, null, attachments), Today);
        decision.ShouldBeOfType<Refused>().Field.ShouldBe(field);
    }

    [Fact]
    public void Decide_ExtensionGuards()
    {
        var roles = new HashSet<string> { LU };
        var facts = Facts("inProgress", "requestExtension");
        StateMachine.Decide(D, facts, roles, "requestExtension", new EventInput("原因", new DateOnly(2026, 6, 22), 0), Today)
            .ShouldBeOfType<Refused>().Field.ShouldBe("newDeadline");
        StateMachine.Decide(D, facts with { HardDeadline = true }, roles, "requestExtension", new EventInput("原因", new DateOnly(2026, 7, 1), 0), Today)
            .ShouldBeOfType<Refused>().Message.ShouldContain("刚性时限");
        StateMachine.Decide(D, facts with { PendingExtension = new DateOnly(2026, 7, 1) }, roles, "requestExtension", new EventInput("原因", new DateOnly(2026, 7, 2), 0), Today)
            .ShouldBeOfType<Refused>();
        StateMachine.Decide(D, facts with { Ongoing = true, EffectiveDeadline = null }, roles, "requestExtension", new EventInput("原因", new DateOnly(2026, 7, 2), 0), Today)
            .ShouldBeOfType<Refused>();
        StateMachine.Decide(D, Facts("inProgress", "x"), new HashSet<string> { LG }, "approveExtension", new EventInput(null, null, 0), Today)
            .ShouldBeOfType<Refused>().Message.ShouldContain("没有待审批的延期申请");
    }

    [Fact]
    public void ActorRoles_FromAccountAndItem()
    {
        var facts = Facts("assigned", "x");
        ActorRoles.Of(new Actor("a", "unit", "ua"), facts).ShouldBe([LU, RU], ignoreOrder: true);
        ActorRoles.Of(new Actor("b", "unit", "ub"), facts).ShouldBe([RU]);
        ActorRoles.Of(new Actor("c", "unit", "other"), facts).ShouldBeEmpty();
        ActorRoles.Of(new Actor("d", "leadingGroup", "lgo"), facts).ShouldBe([LG]);
        ActorRoles.Of(new Actor("e", "leadingGroup", "otherlgo"), facts).ShouldBeEmpty();
        ActorRoles.Of(new Actor("f", "supervisor", "dcs"), facts).ShouldBe([SO]);
        ActorRoles.Of(new Actor("g", "admin", null), facts).ShouldBe([AD]);
    }
}
