using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// The outcome of a write shared by the API and the pages (issue 18 item 2): a <see cref="Refusal"/> answers the API
/// exactly the problem details the <see cref="Problems"/> call it replaces answered (status, content type, body, rendered
/// by the app's own services), and a page shows it as before: field errors beside the fields, the rest at the top.
/// </summary>
public sealed class RefusalTests(RectifyApp app) : IClassFixture<RectifyApp>
{
    private static readonly Dictionary<string, string[]> FieldErrors = new()
    {
        ["name"] = ["必填 / required"],
        ["phases[0].start"] = ["日期格式应为 yyyy-MM-dd / expected yyyy-MM-dd", "超出范围 / out of range"],
    };

    public static TheoryData<string> Kinds =>
        ["notFound", "conflict", "namedConflict", "conflictVersion", "forbidden", "unprocessable", "unprocessableField",
            "invalid"];

    private static (Refusal Refusal, IResult Problem) Pair(string kind) => kind switch
    {
        "notFound" => (Refusal.NotFound("单位"), Problems.NotFound("单位")),
        "conflict" => (Refusal.Conflict("单位代码 u1 已存在 / unit code already exists"),
            Problems.Conflict("单位代码 u1 已存在 / unit code already exists")),
        "namedConflict" => (Refusal.Conflict("有 2 项问题的来源是“审计”，不能删除 / 2 items have this source", "问题来源仍在使用 / Source in use"),
            TypedResults.Problem(statusCode: 409, title: "问题来源仍在使用 / Source in use",
                detail: "有 2 项问题的来源是“审计”，不能删除 / 2 items have this source")),
        "conflictVersion" => (Refusal.Conflict("问题已被他人修改 / version mismatch", new Dictionary<string, object?> { ["currentVersion"] = 7 }),
            TypedResults.Problem(statusCode: 409, title: "冲突 / Conflict", detail: "问题已被他人修改 / version mismatch",
                extensions: new Dictionary<string, object?> { ["currentVersion"] = 7 })),
        "forbidden" => (Refusal.Forbidden("仅管理员可操作 / administrators only"), Problems.Forbidden("仅管理员可操作 / administrators only")),
        "unprocessable" => (Refusal.Unprocessable("活动已结束 / the campaign is closed"),
            Problems.Unprocessable("活动已结束 / the campaign is closed")),
        "unprocessableField" => (Refusal.Unprocessable("上级单位 x 不存在 / parent unit does not exist", "parentCode"),
            Problems.Unprocessable("上级单位 x 不存在 / parent unit does not exist", "parentCode")),
        "invalid" => (Refusal.Invalid(FieldErrors), Problems.Invalid(FieldErrors)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ARefusal_AnswersTheApiTheBodyOfTheProblemItReplaces(string kind)
    {
        var (refusal, problem) = Pair(kind);
        var expected = await RenderAsync(problem);
        expected.Body.ShouldContain("\"status\":");
        if (kind == "conflictVersion") expected.Body.ShouldContain("\"currentVersion\":7");

        (await RenderAsync(refusal.ToResult<Ok<string>>().Result)).ShouldBe(expected);
        Outcome<string> outcome = refusal;
        (await RenderAsync(outcome.ToResult(TypedResults.Ok).Result)).ShouldBe(expected);
        if (kind != "invalid") (await RenderAsync(refusal.AsProblem())).ShouldBe(expected);
    }

    [Fact]
    public async Task AnOutcomeWithAValue_AnswersWhatTheHandlerMakesOfIt()
    {
        Outcome<string> outcome = "甲";
        outcome.IsRefused.ShouldBeFalse();
        outcome.Refusal.ShouldBeNull();
        var result = outcome.ToResult(v => TypedResults.Created($"/api/units/{v}", v)).Result;
        var created = result.ShouldBeOfType<Created<string>>();
        (created.Location, created.Value).ShouldBe(("/api/units/甲", "甲"));
        Should.Throw<ArgumentNullException>(() => { Outcome<string> none = (string)null!; });
    }

    [Fact]
    public void OnlyAnInvalidRefusal_IsAValidationProblem()
    {
        Refusal.Invalid(FieldErrors).IsInvalid.ShouldBeTrue();
        Refusal.Unprocessable("x / x", "name").IsInvalid.ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => Refusal.Conflict("x / x").AsValidationProblem());
        Refusal.Conflict("x / x").ToResult<NoContent>().Result.ShouldBeOfType<ProblemHttpResult>().StatusCode.ShouldBe(409);
    }

    [Fact]
    public void APage_ShowsFieldErrorsBesideTheFields_AndTheRestAtTheTop()
    {
        var chinese = new UiText(new HttpContextAccessor());

        ApiOutcome.Apply((Refusal?)null, new ModelStateDictionary(), chinese).ShouldBeTrue();

        var invalid = new ModelStateDictionary();
        ApiOutcome.Apply(Refusal.Invalid(FieldErrors), invalid, chinese).ShouldBeFalse();
        Messages(invalid).ShouldBe(["Input.Name: 必填", "Input.Phases[0].Start: 日期格式应为 yyyy-MM-dd", "Input.Phases[0].Start: 超出范围"]);

        var field = new ModelStateDictionary();
        var parent = Refusal.Unprocessable("上级单位 x 不存在 / parent unit does not exist", "parentCode");
        ApiOutcome.Apply(parent, field, chinese, "Alias.", f => f + "X").ShouldBeFalse();
        Messages(field).ShouldBe(["Alias.parentCodeX: 上级单位 x 不存在"]);

        var english = new DefaultHttpContext();
        english.Request.Headers.Cookie = $"{UiText.CookieName}=en";
        var top = new ModelStateDictionary();
        var conflict = Refusal.Conflict("单位代码 u1 已存在 / unit code already exists");
        ApiOutcome.Apply(conflict, top, new UiText(new HttpContextAccessor { HttpContext = english })).ShouldBeFalse();
        Messages(top).ShouldBe([": unit code already exists"]);

        var notFound = new ModelStateDictionary();
        ApiOutcome.Apply(Refusal.NotFound("单位"), notFound, chinese).ShouldBeFalse();
        Messages(notFound).ShouldBe([": 单位不存在，或您无权查看。"]);
    }

    private static List<string> Messages(ModelStateDictionary state) =>
        state.SelectMany(e => e.Value!.Errors.Select(x => $"{e.Key}: {x.ErrorMessage}")).Order(StringComparer.Ordinal).ToList();

    private async Task<(int Status, string? ContentType, string Body)> RenderAsync(IResult result)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, TraceIdentifier = "trace-1" };
        http.Request.Path = "/api/units";
        using var body = new MemoryStream();
        http.Response.Body = body;
        await result.ExecuteAsync(http);
        return (http.Response.StatusCode, http.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
