using System.Net;
using System.Text;
using System.Text.Json;
using Rectify.TestSupport;
using Xunit.Abstractions;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// The access matrix: every endpoint × every role (and no sign-in at all) × every ownership the endpoint has — the
/// caller's own unit, another unit of the same campaign, another county's campaign — with the expected answer, each
/// cell checked. A cell that must be refused is sent a <em>valid</em> request, one that would change data if the check
/// were missing; a cell that must be let through is sent a request that passes the access check and is then refused
/// for its content (or for the item's state), so the matrix changes nothing and its cells run in any order.
/// </summary>
public sealed class AccessMatrixTests(AccessMatrixWorld world, ITestOutputHelper output) : IClassFixture<AccessMatrixWorld>
{
    public static TheoryData<string> Cells()
    {
        var data = new TheoryData<string>();
        foreach (var cell in AccessMatrix.Cells()) data.Add(cell.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell(string name)
    {
        var cell = AccessMatrix.Cells().Single(c => c.Name == name);
        var client = cell.Role == AccessMatrix.Anonymous ? world.Anonymous : world.Clients[cell.Role];
        var ids = cell.Column switch
        {
            AccessMatrix.OwnUnit => world.OwnUnit,
            AccessMatrix.OtherUnit => world.OtherUnit,
            AccessMatrix.OtherCampaign => world.OtherCampaign,
            _ => world.OwnUnit,
        };
        var path = cell.Endpoint.Path;
        foreach (var (key, value) in ids) path = path.Replace("{" + key + "}", value, StringComparison.Ordinal);
        var refused = cell.Expected is Expect.Forbidden or Expect.Hidden or Expect.Unauthorized;
        using var request = new HttpRequestMessage(cell.Endpoint.Method, path) { Content = cell.Endpoint.Body(refused) };
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{cell.Name} → {status} {text[..Math.Min(text.Length, 300)]}");
        status.ShouldBeLessThan(500, $"{cell.Name}: {text}");
        switch (cell.Expected)
        {
            case Expect.Ok:
                status.ShouldBeInRange(200, 299, $"{cell.Name}: {text}");
                break;
            case Expect.Empty:
                response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
                JsonDocument.Parse(text).RootElement.GetProperty("total").GetInt64().ShouldBe(0, $"{cell.Name} lists what it should not see: {text}");
                break;
            case Expect.Listed:
                response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
                JsonDocument.Parse(text).RootElement.GetProperty("total").GetInt64().ShouldBeGreaterThan(0, $"{cell.Name} lists nothing: {text}");
                break;
            case Expect.Allowed:
                status.ShouldNotBeOneOf([401, 403, 404], $"{cell.Name}: {text}");
                break;
            case Expect.AllowedOrAbsent:
                status.ShouldNotBeOneOf([401, 403], $"{cell.Name}: {text}");
                break;
            default:
                status.ShouldBe((int)cell.Expected, $"{cell.Name}: {text}");
                if (status is 403 or 404)
                    response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
                break;
        }
    }

    [Fact]
    public async Task EveryOperationOfTheOpenApiDocument_IsInTheMatrix()
    {
        var doc = await (await world.Clients["admin"].GetAsync("/openapi/v1.json")).JsonAsync();
        var inMatrix = AccessMatrix.Endpoints.Select(e => e.Operation).ToHashSet();
        var missing = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var key = $"{op.Name.ToUpperInvariant()} {path.Name}";
                if (!inMatrix.Contains(key) && !AccessMatrix.Elsewhere.ContainsKey(key)) missing.Add(key);
            }
        }
        missing.ShouldBeEmpty("operations with no row in the access matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheMatrix_HasACellForEveryRoleOfEveryEndpoint()
    {
        var cells = AccessMatrix.Cells().ToList();
        output.WriteLine($"{AccessMatrix.Endpoints.Count} endpoints, {cells.Count} cells");
        foreach (var endpoint in AccessMatrix.Endpoints)
        {
            foreach (var role in AccessMatrix.Roles)
                cells.Count(c => c.Endpoint == endpoint && c.Role == role).ShouldBe(endpoint.Columns.Length, endpoint.Operation + " " + role);
        }
    }
}

public enum Expect
{
    Ok = 1, Listed = 2, Empty = 3, Allowed = 4, AllowedOrAbsent = 5,
    Unauthorized = 401, Forbidden = 403, Hidden = 404,
}

public sealed record Endpoint(string Operation, string Path, string[] Columns, Func<string, string, Expect> Rule, Func<bool, HttpContent?> Body)
{
    public HttpMethod Method => new(Operation[..Operation.IndexOf(' ')]);
}

public sealed record MatrixCell(Endpoint Endpoint, string Role, string Column, Expect Expected)
{
    public string Name => $"{Endpoint.Operation} | {Role} | {Column}";
}
