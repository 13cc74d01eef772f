using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Ui;

/// <summary>
/// A screen and the API validate and refuse alike: the pages call the commands the handlers call (a
/// <see cref="Refusal"/>) or one of four services shared with the API that still answer an <see cref="IResult"/>
/// (PasswordChange, which signs a browser in again; PasswordReset, PreferencesUpdate and IncidentRetry, not moved to
/// commands yet). This turns either into what a page shows: field errors beside the fields, a refusal at the top.
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

    /// <summary>
    /// True when a command was done (<paramref name="refusal"/> null); otherwise shows the refusal as a handler's problem
    /// is shown above: its field errors beside the fields (<paramref name="prefix"/> + the field, PascalCase or
    /// <paramref name="rename"/>d), a refusal without fields at the top of the form.
    /// </summary>
    public static bool Apply(
        Refusal? refusal, ModelStateDictionary modelState, UiText text, string prefix = "Input.", Func<string, string>? rename = null)
    {
        if (refusal is null) return true;
        if (refusal.Errors is { } errors)
        {
            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                    modelState.AddModelError(prefix + (rename?.Invoke(field) ?? FieldName(field)), text.Pick(message));
            }
        }
        else
        {
            modelState.AddModelError("", text.Pick(refusal.Detail));
        }
        return false;
    }

    /// <summary>API field names are camelCase paths (phases[0].start); page inputs are PascalCase (Phases[0].Start).</summary>
    public static string FieldName(string field) =>
        string.Join('.', field.Split('.').Select(s => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..]));
}
