using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Rectify.Api.Ui;

/// <summary>
/// The pages act through the API's own handlers, so a screen and the API validate and refuse alike. This turns a
/// handler's result into what a page shows: field errors beside the fields, a refusal at the top.
/// </summary>
public static class ApiOutcome
{
    /// <summary>True when the result is a success (2xx); otherwise copies its errors into the model state.</summary>
    public static bool Apply(IResult result, ModelStateDictionary modelState, UiText text, string prefix = "Input.", Func<string, string>? rename = null)
    {
        switch (result)
        {
            case ValidationProblem v:
                foreach (var (field, messages) in v.ProblemDetails.Errors)
                    foreach (var message in messages) modelState.AddModelError(prefix + (rename?.Invoke(field) ?? FieldName(field)), text.Pick(message));
                return false;
            case ProblemHttpResult p when p.StatusCode >= 400:
                var fieldErrors = p.ProblemDetails.Extensions.TryGetValue("errors", out var e) ? e as IDictionary<string, string[]> : null;
                if (fieldErrors is not null)
                {
                    foreach (var (field, messages) in fieldErrors)
                        foreach (var message in messages) modelState.AddModelError(prefix + (rename?.Invoke(field) ?? FieldName(field)), text.Pick(message));
                }
                else
                {
                    modelState.AddModelError("", text.Pick(p.ProblemDetails.Detail ?? p.ProblemDetails.Title));
                }
                return false;
            case IStatusCodeHttpResult { StatusCode: >= 400 } s:
                modelState.AddModelError("", text.Format("操作失败（{0}）", s.StatusCode));
                return false;
            default:
                return true;
        }
    }

    /// <summary>The value carried by an Ok/Created result, if any.</summary>
    public static T? Value<T>(IResult result) where T : class => result switch
    {
        IValueHttpResult<T> v => v.Value,
        _ => null,
    };

    /// <summary>API field names are camelCase paths (phases[0].start); page inputs are PascalCase (Phases[0].Start).</summary>
    public static string FieldName(string field) =>
        string.Join('.', field.Split('.').Select(s => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..]));
}
