using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.CalendarFeeds;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages.CalendarFeed;

/// <summary>One subscription URL as the page shows it: whose, since when, and the URL itself right after it was made.</summary>
public sealed record FeedView(string Kind, string Heading, string DownloadPath, FeedSubscription Subscription, string? NewUrl);

/// <summary>
/// Calendar subscription links (.ics with a secret token) of the signed-in unit and person: create or replace one
/// (the old URL stops working at once), copy it, revoke it. Acts through <see cref="FeedCommands"/>.
/// </summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock, UiText text) : PageModel
{
    public IReadOnlyList<FeedView> Feeds { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var subjects = Subjects();
        if (subjects.Count == 0) return Forbid();
        var feeds = new List<FeedView>();
        var (freshKind, freshUrl) = (TempData["FeedKind"] as string, TempData["FeedUrl"] as string);
        var me = CurrentUser.From(User);
        await using var connection = await db.OpenConnectionAsync(ct);
        foreach (var (kind, id, heading, path) in subjects)
        {
            var subscription = await FeedQueries.SubscriptionAsync(connection, me, kind, id, ct);
            if (subscription is null) continue;
            feeds.Add(new FeedView(kind, heading, path, subscription, freshKind == kind ? freshUrl : null));
        }
        Feeds = feeds;
        return Page();
    }

    public async Task<IActionResult> OnPostRotateAsync(string kind, CancellationToken ct)
    {
        if (Subjects().Where(s => s.Kind == kind).Select(s => s.Id).FirstOrDefault() is not { } id) return Forbid();
        var outcome = await FeedCommands.RotateAsync(db, clock, kind, id, FeedCommands.Origin(Request), CurrentUser.From(User), ct);
        if (!ApiOutcome.Apply(outcome.Refusal, ModelState, text)) return await OnGetAsync(ct);
        TempData["FeedKind"] = kind;
        TempData["FeedUrl"] = outcome.Value?.Url;
        TempData["Flash"] = text["新的订阅链接已生成，原链接已失效"];
        return Redirect("/calendar-feed");
    }

    public async Task<IActionResult> OnPostRevokeAsync(string kind, CancellationToken ct)
    {
        if (Subjects().Where(s => s.Kind == kind).Select(s => s.Id).FirstOrDefault() is not { } id) return Forbid();
        var refusal = await FeedCommands.RevokeAsync(db, kind, id, CurrentUser.From(User), ct);
        if (!ApiOutcome.Apply(refusal, ModelState, text)) return await OnGetAsync(ct);
        TempData["Flash"] = text["订阅链接已停用"];
        return Redirect("/calendar-feed");
    }

    private List<(string Kind, string Id, string Heading, string Path)> Subjects()
    {
        var me = CurrentUser.From(User);
        var subjects = new List<(string, string, string, string)>();
        if (me.IsUnit && me.UnitCode is { } unit)
            subjects.Add((FeedTokens.Unit, unit, text["本单位整改时限日历"], $"/api/units/{Uri.EscapeDataString(unit)}/deadlines.ics"));
        if (me.PersonId is { } person)
            subjects.Add((FeedTokens.Person, person.ToString(), text["本人负责的整改时限日历"], $"/api/people/{person}/deadlines.ics"));
        return subjects;
    }
}
