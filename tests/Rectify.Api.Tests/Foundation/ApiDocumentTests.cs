using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18: the product documents itself. docs/api.md is the contract users of the product read; it and the OpenAPI
/// document must name the same routes, so an endpoint added without its documentation (or documented and gone) fails here.
/// </summary>
public sealed partial class ApiDocumentTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    [Fact]
    public async Task DocsApiMd_AndOpenApi_NameTheSameRoutes()
    {
        var doc = await (await app.CreateClient().GetAsync("/openapi/v1.json")).ShouldHaveStatusAsync(HttpStatusCode.OK);
        var described = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
                if (operation.Name is "get" or "post" or "put" or "delete" or "patch")
                    described.Add($"{operation.Name.ToUpperInvariant()} {Normalise(path.Name)}");

        var documented = DocumentedRoutes(File.ReadAllText(ApiMdPath()));
        var undocumented = described.Except(documented).ToList();
        var notServed = documented.Except(described).ToList();
        undocumented.ShouldBeEmpty("routes in the OpenAPI document that docs/api.md does not list");
        notServed.ShouldBeEmpty("routes docs/api.md lists that the OpenAPI document does not have");
    }

    /// <summary>Every <c>`METHOD /path`</c> that opens a row of a table in the "Endpoints" part of the file.</summary>
    internal static SortedSet<string> DocumentedRoutes(string markdown)
    {
        var start = markdown.IndexOf("\n## Endpoints", StringComparison.Ordinal);
        var end = markdown.IndexOf("\n## Outside the API description", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, "docs/api.md has no '## Endpoints' section");
        var section = end > start ? markdown[start..end] : markdown[start..];
        return new SortedSet<string>(Row().Matches(section).Select(m => $"{m.Groups[1].Value} {Normalise(m.Groups[2].Value)}"), StringComparer.Ordinal);
    }

    /// <summary>Parameter names do not matter, only where they stand: /api/items/{id} = /api/items/{itemId}.</summary>
    private static string Normalise(string path) => Parameter().Replace(path.TrimEnd('/'), "{}");

    private static string ApiMdPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "api.md");
            if (File.Exists(Path.Combine(dir.FullName, "Rectify.sln")) && File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("docs/api.md not found above the test's directory");
    }

    [Fact]
    public void DocumentedRoutes_ReadsRowsOfTheEndpointsSectionOnly()
    {
        const string md = """
            # x
            | `GET /api/outside` | before the section |
            ## Endpoints
            | method and path | what |
            | --- | --- |
            | `GET /api/items/{id}` | one |
            | `POST /api/items/{itemId}/events` | two; see `GET /api/not-a-row` |
            ## Outside the API description
            | `GET /metrics` | three |
            """;
        DocumentedRoutes(md).ShouldBe(["GET /api/items/{}", "POST /api/items/{}/events"]);
    }

    [GeneratedRegex(@"^\|\s*`(GET|POST|PUT|DELETE|PATCH) (/[^`\s]*)`", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
