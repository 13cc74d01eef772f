using Microsoft.AspNetCore.Http.HttpResults;

namespace Rectify.Api.Infrastructure;

/// <summary>
/// Why a write was refused, told once for the API and the pages (issue 18 item 2: pages call commands, not endpoint
/// handlers). A command (<c>UnitCommands.CreateAsync</c>) returns a <see cref="Refusal"/> (or an
/// <see cref="Outcome{T}"/> holding one); the handler turns it into the problem details of <see cref="Problems"/>,
/// byte for byte what the API answered before (<see cref="ToResult{TOk}"/>, <see cref="AsProblem"/>); a page shows it
/// with <c>ApiOutcome.Apply</c>: the field errors beside the fields, otherwise <see cref="Detail"/> at the top.
/// Its factories hold the texts <see cref="Problems"/> answers with; Chinese first, "中文 / English".
/// </summary>
public sealed record Refusal
{
    private Refusal(int statusCode, string title, string detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    /// <summary>The HTTP status the API answers: 400, 403, 404, 409 or 422.</summary>
    public int StatusCode { get; }

    /// <summary>The problem's title ("冲突 / Conflict").</summary>
    public string Title { get; }

    /// <summary>What a person reads ("单位代码 u1 已存在 / unit code already exists").</summary>
    public string Detail { get; }

    /// <summary>The messages by field (API names, camelCase paths: <c>parentCode</c>, <c>phases[0].start</c>); null when
    /// the refusal is about the request as a whole.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    /// <summary>Further members of the problem besides <c>errors</c> (a 409's <c>currentVersion</c>); null when none.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; private init; }

    /// <summary>True for <see cref="Invalid"/>: a 400 whose field errors the API answers as a validation problem.</summary>
    public bool IsInvalid => StatusCode == 400;

    /// <summary>As <see cref="Problems.NotFound"/>: 404, "{what}不存在，或您无权查看。".</summary>
    public static Refusal NotFound(string what) => new(404, $"未找到{what} / Not found", $"{what}不存在，或您无权查看。", null);

    /// <summary>As <see cref="Problems.Conflict"/>: 409; a <paramref name="title"/> of its own where the API has always
    /// named the conflict ("问题来源仍在使用 / Source in use").</summary>
    public static Refusal Conflict(string detail, string title = "冲突 / Conflict") => new(409, title, detail, null);

    /// <summary>A 409 with further members of the problem, as <c>TypedResults.Problem(…, extensions)</c> made it (an item's
    /// <c>currentVersion</c>, for the client to retry against).</summary>
    public static Refusal Conflict(string detail, IReadOnlyDictionary<string, object?> extensions) =>
        Conflict(detail) with { Extensions = extensions };

    /// <summary>As <see cref="Problems.Forbidden"/>: 403.</summary>
    public static Refusal Forbidden(string detail) => new(403, "无权操作 / Forbidden", detail, null);

    /// <summary>As <see cref="Problems.Unprocessable"/>: 422, well-formed but not allowed now; names the field when one
    /// field is the reason (the page then shows the detail beside that field).</summary>
    public static Refusal Unprocessable(string detail, string? field = null) =>
        new(422, "当前不允许此操作 / Unprocessable", detail, field is null ? null : new Dictionary<string, string[]> { [field] = [detail] });

    /// <summary>As <see cref="Problems.Invalid"/>: 400 with the messages by field (a <see cref="Validator"/>'s errors).</summary>
    public static Refusal Invalid(IDictionary<string, string[]> errors) =>
        new(400, Problems.InvalidTitle, Problems.InvalidDetail, new Dictionary<string, string[]>(errors, StringComparer.Ordinal));

    /// <summary>
    /// The problem details of every refusal but <see cref="Invalid"/>, exactly as <see cref="Problems"/> makes them. An
    /// invalid refusal becomes a 400 problem with its <c>errors</c> (never a 500), but the API answers it as a
    /// <see cref="ValidationProblem"/>: use <see cref="AsValidationProblem"/> or <see cref="ToResult{TOk}"/> for those.
    /// </summary>
    public ProblemHttpResult AsProblem()
    {
        var extensions = Errors is null ? null : new Dictionary<string, object?> { ["errors"] = ToMutable(Errors) };
        foreach (var (name, value) in Extensions ?? new Dictionary<string, object?>())
            (extensions ??= new Dictionary<string, object?>())[name] = value;
        return TypedResults.Problem(statusCode: StatusCode, title: Title, detail: Detail, extensions: extensions);
    }

    /// <summary>The validation problem of an <see cref="Invalid"/> refusal, as <see cref="Problems.Invalid"/> makes it.</summary>
    public ValidationProblem AsValidationProblem() =>
        IsInvalid && Errors is not null
            ? Problems.Invalid(ToMutable(Errors))
            : throw new InvalidOperationException($"a {StatusCode} refusal is not a validation problem (use AsProblem)");

    /// <summary>The refusal in a handler's usual union for writes: a validation problem when invalid, otherwise a
    /// problem (<c>return refusal.ToResult&lt;Created&lt;UnitDto&gt;&gt;()</c>).</summary>
    public Results<TOk, ValidationProblem, ProblemHttpResult> ToResult<TOk>() where TOk : IResult
    {
        if (IsInvalid) return AsValidationProblem();
        return AsProblem();
    }

    private static Dictionary<string, string[]> ToMutable(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
}

public static class RefusalResults
{
    /// <summary>A delete's answer: 204 when nothing refused it (null), otherwise the refusal's problem.</summary>
    public static Results<NoContent, ProblemHttpResult> OrNoContent(this Refusal? refusal) =>
        refusal is null ? TypedResults.NoContent() : refusal.AsProblem();
}
