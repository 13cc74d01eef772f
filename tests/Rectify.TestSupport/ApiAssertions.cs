using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Rectify.TestSupport;

/// <summary>Reading and checking what a client of the API sees.</summary>
public static class ApiAssertions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text.Length == 0 ? "null" : text).RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the body; shows the body when the status is wrong.</summary>
    public static async Task<JsonElement> ShouldHaveStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe((int)expected, $"body: {body}");
        return JsonDocument.Parse(body.Length == 0 ? "null" : body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the status and, when given, an error for the field.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string? field = null)
    {
        var problem = await response.ShouldHaveStatusAsync(expected);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        problem.GetProperty("status").GetInt32().ShouldBe((int)expected);
        problem.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        if (field is not null)
        {
            problem.TryGetProperty("errors", out var errors).ShouldBeTrue($"no errors in {problem}");
            errors.TryGetProperty(field, out _).ShouldBeTrue($"no error for '{field}' in {errors}");
        }
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string raw, string mediaType = "application/json") =>
        client.PostAsync(url, new StringContent(raw, System.Text.Encoding.UTF8, mediaType));

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).ToString();
}
