using System.Text.RegularExpressions;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18 item 2: pages call queries, not endpoint handlers. A page (the page models and views under
/// <c>src/Rectify.Api/Pages</c>, namespace <c>Rectify.Api.Pages</c>) reads through the <c>…Queries</c> class beside a
/// feature and does not call an endpoint handler (<c>PeopleApi.List(…)</c>, <c>Milestones.Done(…)</c>) and unpack its
/// HTTP result. The handlers are those the route registrations of <c>src/Rectify.Api</c> name as method groups
/// (<c>group.MapPost("/{id:guid}/milestones/{seq:int}/done", Milestones.Done)</c>, or <c>MapGet("/", List)</c>
/// inside <c>PeopleApi</c>), whatever their class is called; any method of a <c>*Api</c> class counts too.
/// The calls in <see cref="StillCallingHandlers"/> are the ones left to move, mostly the writes, whose
/// validation and problem details the pages show beside their fields: the list may only shrink (a call that went must
/// leave it, a new one fails).
/// </summary>
public sealed partial class PagesCallQueriesTests
{
    private static readonly string[] StillCallingHandlers =
    [
    ];

    [Fact]
    public void NoPageCallsAnEndpointHandler_BeyondTheCallsLeftToMove()
    {
        var handlers = RegisteredHandlers();
        var pages = Path.Combine(Repository.Root, "src", "Rectify.Api", "Pages");
        var calls = Directory.EnumerateFiles(pages, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .SelectMany(f => HandlerCalls(Path.GetRelativePath(pages, f).Replace('\\', '/'), File.ReadAllText(f), handlers))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        calls.Except(StillCallingHandlers)
            .ShouldBeEmpty("pages calling an endpoint handler (call a …Queries or …Commands method instead)");
        StillCallingHandlers.Except(calls).ShouldBeEmpty("calls that went: take them off StillCallingHandlers");
    }

    [Fact]
    public void TheRegistrationsNameTheHandlers_QualifiedOrInTheirOwnClass()
    {
        var handlers = RegisteredHandlers();

        handlers.Count.ShouldBeGreaterThan(50, "the scan read few route registrations: is src/Rectify.Api where the test looks?");
        handlers.ShouldContain("Milestones.Done");
        handlers.ShouldContain("SupervisionInbox.List");
        handlers.ShouldContain("PeopleApi.Create");
        handlers.ShouldNotContain("Milestones.LoadAsync");
    }

    [Fact]
    public void TheRuleSeesAHandlerCall_NotACommentOrAQueryCall()
    {
        const string source = """
            var page = (await PeopleApi.List(db, unit, q, PageNumber, PagerModel.DefaultSize, ct)).Value!;
            var rows = await PersonQueries.ListAsync(connection, filter, paging, ct);
            var value = ApiOutcome.Value<PreferencesDto>(result);
            // Reads what CalendarApi.GetYear(year) answers.
            @{ var inPlace = Rectify.Api.Features.Runtime.AttachmentsApi.OpensInPlace(a.ContentType); }
            var result = (await Milestones.Done(id, seq, request, HttpContext, db, clock, ct)).Result;
            var steps = await Milestones.LoadAsync(connection, ids, ct);
            var inbox = await Rectify.Api.Features.Escalations.SupervisionInbox.List(HttpContext, db, clock, query, ct);
            """;
        HandlerCalls("Admin/People.cshtml.cs", source, new HashSet<string>(["Milestones.Done", "SupervisionInbox.List"]))
            .ShouldBe([
                "Admin/People.cshtml.cs: PeopleApi.List", "Admin/People.cshtml.cs: AttachmentsApi.OpensInPlace",
                "Admin/People.cshtml.cs: Milestones.Done", "Admin/People.cshtml.cs: SupervisionInbox.List",
            ]);
    }

    [Fact]
    public void TheRegistrationScanReadsMethodGroups_NotLambdas()
    {
        const string source = """
            public static class Milestones
            {
                public static void Map(RouteGroupBuilder group)
                {
                    group.MapPost("/{id:guid}/milestones/{seq:int}/done", Done).RequireAuthorization();
                    group.MapGet("/", async (HttpContext http, CancellationToken ct) => await Other(http, ct));
                    app.MapMethods("/api/x", ["GET", "HEAD"], SupervisionInbox.List);
                    app.MapDelete(
                        "/api/y/{id:guid}",
                        Remove);
                }
            }
            """;
        Registrations(source).Order(StringComparer.Ordinal)
            .ShouldBe(["Milestones.Done", "Milestones.Remove", "SupervisionInbox.List"]);
    }

    /// <summary>Every handler a route registration of <c>src/Rectify.Api</c> names, as <c>Type.Method</c>.</summary>
    private static HashSet<string> RegisteredHandlers()
    {
        var src = Path.Combine(Repository.Root, "src", "Rectify.Api");
        return Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Registrations(File.ReadAllText(f)))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The method groups the <c>Map…</c> calls of one source file register; an unqualified one is of the class
    /// the call is written in.</summary>
    private static IEnumerable<string> Registrations(string source)
    {
        var classes = ClassDeclaration().Matches(source);
        foreach (Match m in Registration().Matches(source))
        {
            var type = m.Groups[1].Success
                ? m.Groups[1].Value
                : classes.LastOrDefault(c => c.Index < m.Index)?.Groups[1].Value;
            if (type is not null) yield return $"{type}.{m.Groups[2].Value}";
        }
    }

    private static IEnumerable<string> HandlerCalls(string file, string source, IReadOnlySet<string> handlers) =>
        source.Split('\n')
            .Select(line => line.TrimStart().StartsWith("//", StringComparison.Ordinal) ? "" : line)
            .SelectMany(line => Call().Matches(line))
            .Where(m => m.Groups[1].Value.EndsWith("Api", StringComparison.Ordinal)
                || handlers.Contains($"{m.Groups[1].Value}.{m.Groups[2].Value}"))
            .Select(m => $"{file}: {m.Groups[1].Value}.{m.Groups[2].Value}");

    [GeneratedRegex(@"\b(\w+)\.(\w+)\(")]
    private static partial Regex Call();

    /// <summary><c>MapGet("/route", Type.Method)</c>, <c>MapMethods("/route", ["GET"], Method)</c>: the route, perhaps
    /// the methods, then a method group closing the call.</summary>
    [GeneratedRegex(
        @"\bMap(?:Get|Post|Put|Delete|Patch|Methods)\(\s*\$?@?""[^""]*""\s*,\s*"
        + @"(?:(?:\[[^\]]*\]|new\s*\[\]\s*\{[^}]*\})\s*,\s*)?(?:(\w+)\.)?(\w+)\s*\)")]
    private static partial Regex Registration();

    [GeneratedRegex(@"^\s*(?:[a-z]+\s+)*class\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex ClassDeclaration();
}
