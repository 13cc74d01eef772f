using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Calendar;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Admin;

/// <summary>The working-day calendar, read through <see cref="CalendarQueries"/> and edited through <see cref="CalendarCommands"/>.</summary>
public sealed class CalendarModel(NpgsqlDataSource db, WorkingCalendar calendar, AdminJournal journal, TimeProvider clock, UiText text) : PageModel
{
    public sealed class DayInput
    {
        public string? Date { get; set; }
        public string? Kind { get; set; }
        public string? Name { get; set; }
    }

    [BindProperty] public DayInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true, Name = "year")] public int Year { get; set; }
    public IReadOnlyList<CalendarDayDto> Days { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new CalendarDayRequest(Input.Kind, Input.Name);
        var outcome = await CalendarCommands.PutDayAsync(db, calendar, journal, Input.Date ?? "", request, CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["已保存"];
            return Redirect($"/admin/calendar?year={Input.Date?[..4]}");
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string date, CancellationToken ct)
    {
        var refusal = await CalendarCommands.DeleteDayAsync(db, calendar, journal, date, CurrentUser.From(User), ct);
        if (ApiOutcome.Apply(refusal, ModelState, text))
        {
            TempData["Flash"] = text["已删除"];
            return Redirect($"/admin/calendar?year={Year}");
        }
        await LoadAsync(ct);
        return Page();
    }

    public string Weekday(DateOnly d) => d.DayOfWeek switch
    {
        DayOfWeek.Monday => "周一",
        DayOfWeek.Tuesday => "周二",
        DayOfWeek.Wednesday => "周三",
        DayOfWeek.Thursday => "周四",
        DayOfWeek.Friday => "周五",
        DayOfWeek.Saturday => "周六",
        _ => "周日",
    };

    private async Task LoadAsync(CancellationToken ct)
    {
        if (!CalendarQueries.IsKnownYear(Year)) Year = ItemStatus.LocalToday(clock.GetUtcNow(), "Asia/Shanghai").Year;
        await using var connection = await db.OpenConnectionAsync(ct);
        Days = (await CalendarQueries.GetYearAsync(connection, Year, ct))?.Days ?? [];
    }
}
