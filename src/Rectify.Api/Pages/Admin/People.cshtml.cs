using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Features.People;
using Rectify.Api.Infrastructure;
using Rectify.Api.Ui;
using Rectify.Notifications;

namespace Rectify.Api.Pages.Admin;

public sealed class PeopleModel(
    NpgsqlDataSource db, AdminJournal journal, TimeProvider clock, PreferencesUpdate preferences, Rectify.Notifications.Channels.OutboundPolicy outbound,
    UnitNames names, UiText text) : PageModel
{
    public sealed class PersonInput
    {
        public string? Name { get; set; }
        public string? Title { get; set; }
        public string? UnitCode { get; set; }
        public string? Email { get; set; }
        public string? Mobile { get; set; }
        public string? WecomWebhook { get; set; }
        public string? DingtalkWebhook { get; set; }
        public string? FeishuWebhook { get; set; }
        public bool IsUnitContact { get; set; }
        public bool IsUnitHead { get; set; }
    }

    public sealed class PreferencesInput
    {
        public List<string> Channels { get; set; } = [];
        public bool Digest { get; set; }
        public string? Language { get; set; }
        public string? QuietStart { get; set; }
        public string? QuietEnd { get; set; }
    }

    [BindProperty] public PersonInput Input { get; set; } = new();
    [BindProperty] public PreferencesInput Prefs { get; set; } = new();
    public PreferencesDto? Preferences { get; private set; }
    public IReadOnlyList<string> AllChannels => [.. PreferencesApi.Channels.Order()];
    [BindProperty(SupportsGet = true, Name = "edit")] public Guid? Editing { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Unit { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    public IReadOnlyList<PersonDto> People { get; private set; } = [];
    public IReadOnlyList<Choice> UnitChoices { get; private set; } = [];
    public PagerModel Pager { get; private set; } = null!;
    public UnitNames Names => names;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Editing is { } id)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var p = await PersonQueries.GetAsync(connection, id, ct);
            if (p is null) return NotFound();
            Preferences = await PreferenceQueries.GetAsync(connection, CurrentUser.From(User), id, ct);
            if (Preferences is not null)
                Prefs = new PreferencesInput
                {
                    Channels = [.. Preferences.Channels], Digest = Preferences.Digest, Language = Preferences.Language,
                    QuietStart = Preferences.QuietStart, QuietEnd = Preferences.QuietEnd,
                };
            Input = new PersonInput
            {
                Name = p.Name, Title = p.Title, UnitCode = p.UnitCode, Email = p.Email, Mobile = p.Mobile, WecomWebhook = p.WecomWebhook,
                DingtalkWebhook = p.DingtalkWebhook, FeishuWebhook = p.FeishuWebhook, IsUnitContact = p.IsUnitContact, IsUnitHead = p.IsUnitHead,
            };
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var request = new PersonRequest(Input.Name, Input.Title, Input.UnitCode, Input.Email, Input.Mobile, Input.WecomWebhook,
            Input.DingtalkWebhook, Input.FeishuWebhook, Input.IsUnitContact, Input.IsUnitHead);
        var me = CurrentUser.From(User);
        var outcome = Editing is { } id
            ? await PeopleCommands.UpdateAsync(db, journal, outbound, id, request, me, ct)
            : await PeopleCommands.CreateAsync(db, journal, clock, outbound, request, me, ct);
        if (ApiOutcome.Apply(outcome.Refusal, ModelState, text))
        {
            TempData["Flash"] = text["已保存"];
            return Redirect("/admin/people");
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Notification preferences of the person being edited, through the preferences API's handler.</summary>
    public async Task<IActionResult> OnPostPreferencesAsync(CancellationToken ct)
    {
        if (Editing is not { } id) return NotFound();
        var request = new PreferencesRequest(Prefs.Channels.Cast<string?>().ToList(), Prefs.Digest, Prefs.Language,
            string.IsNullOrWhiteSpace(Prefs.QuietStart) ? null : Prefs.QuietStart, string.IsNullOrWhiteSpace(Prefs.QuietEnd) ? null : Prefs.QuietEnd);
        var result = (await preferences.RunAsync(HttpContext, id, request, ct)).Result;
        if (ApiOutcome.Apply(result, ModelState, text, "Prefs."))
        {
            TempData["Flash"] = text["通知偏好已保存"];
            return Redirect($"/admin/people?edit={id}#prefs-h");
        }
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var p = await PersonQueries.GetAsync(connection, id, ct);
            if (p is null) return NotFound();
            Input = new PersonInput
            {
                Name = p.Name, Title = p.Title, UnitCode = p.UnitCode, Email = p.Email, Mobile = p.Mobile, WecomWebhook = p.WecomWebhook,
                DingtalkWebhook = p.DingtalkWebhook, FeishuWebhook = p.FeishuWebhook, IsUnitContact = p.IsUnitContact, IsUnitHead = p.IsUnitHead,
            };
            Preferences = await PreferenceQueries.GetAsync(connection, CurrentUser.From(User), id, ct);
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
        var unit = string.IsNullOrWhiteSpace(Unit) ? null : Unit;
        await using var connection = await db.OpenConnectionAsync(ct);
        var paging = Paging.From(PageNumber, PagerModel.DefaultSize);
        var page = await PersonQueries.ListAsync(connection, new PersonFilter(unit, q), paging, ct);
        People = page.Items;
        Pager = new PagerModel(Request, Math.Max(1, PageNumber), PagerModel.DefaultSize, page.Total);
        UnitChoices = await Choices.UnitsAsync(connection, null, ct);
        await names.AllAsync(ct);
    }
}
