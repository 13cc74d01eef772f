using System.Text.RegularExpressions;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18 item 2: pages call queries, not endpoint handlers. A page (the page models and views under
/// <c>src/Rectify.Api/Pages</c>, namespace <c>Rectify.Api.Pages</c>) reads through the <c>…Queries</c> class beside a
/// feature and does not call a method of a <c>*Api</c> endpoint class (<c>PeopleApi.List(…)</c>) and unpack its HTTP
/// result. The calls in <see cref="StillCallingHandlers"/> are the ones left to move, mostly the writes, whose
/// validation and problem details the pages show beside their fields: the list may only shrink (a call that went must
/// leave it, a new one fails).
/// </summary>
public sealed partial class PagesCallQueriesTests
{
    private static readonly string[] StillCallingHandlers =
    [
        "Admin/People.cshtml.cs: PeopleApi.Create",
        "Admin/People.cshtml.cs: PeopleApi.Update",
        "Admin/UnitGroups.cshtml.cs: UnitGroupsApi.Delete",
        "Admin/UnitGroups.cshtml.cs: UnitGroupsApi.DeleteAlias",
        "Admin/UnitGroups.cshtml.cs: UnitGroupsApi.Put",
        "Admin/UnitGroups.cshtml.cs: UnitGroupsApi.PutAlias",
        "Admin/Users.cshtml.cs: UsersApi.Create",
        "Admin/Users.cshtml.cs: UsersApi.Disable",
        "Admin/Users.cshtml.cs: UsersApi.Enable",
        "Admin/Users.cshtml.cs: UsersApi.EndSessions",
        "CalendarFeed/Index.cshtml.cs: CalendarFeedApi.Revoke",
        "CalendarFeed/Index.cshtml.cs: CalendarFeedApi.Rotate",
        "Inbox/Index.cshtml.cs: InboxApi.MarkAllRead",
        "Inbox/Index.cshtml.cs: InboxApi.MarkRead",
    ];

    [Fact]
    public void NoPageCallsAnEndpointHandler_BeyondTheCallsLeftToMove()
    {
        var pages = Path.Combine(Repository.Root, "src", "Rectify.Api", "Pages");
        var calls = Directory.EnumerateFiles(pages, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .SelectMany(f => HandlerCalls(Path.GetRelativePath(pages, f).Replace('\\', '/'), File.ReadAllText(f)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        calls.ShouldNotBeEmpty("the scan read no page calls at all: is the Pages folder where the test looks?");

        calls.Except(StillCallingHandlers).ShouldBeEmpty("pages calling an endpoint handler (read through a …Queries class instead)");
        StillCallingHandlers.Except(calls).ShouldBeEmpty("calls that went: take them off StillCallingHandlers");
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
            """;
        HandlerCalls("Admin/People.cshtml.cs", source)
            .ShouldBe(["Admin/People.cshtml.cs: PeopleApi.List", "Admin/People.cshtml.cs: AttachmentsApi.OpensInPlace"]);
    }

    private static IEnumerable<string> HandlerCalls(string file, string source) =>
        source.Split('\n')
            .Select(line => line.TrimStart().StartsWith("//", StringComparison.Ordinal) ? "" : line)
            .SelectMany(line => HandlerCall().Matches(line))
            .Select(m => $"{file}: {m.Groups[1].Value}.{m.Groups[2].Value}");

    [GeneratedRegex(@"\b(\w+Api)\.(\w+)\(")]
    private static partial Regex HandlerCall();
}
