using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Todo;

namespace Rectify.Api.Ui;

/// <summary>
/// The navigation's counts (issue 13 §1: a badge per section), read once per request from the 待办's count statement,
/// so the badges and the 待办 page can never disagree.
/// </summary>
public sealed class TodoBadges(NpgsqlDataSource db, TimeProvider clock, IHttpContextAccessor accessor)
{
    private IReadOnlyDictionary<string, long>? counts;

    /// <summary>What each navigation section counts.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Sections = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["/todo"] = [.. TodoKinds.All],
        ["/items"] = [TodoKinds.Returned, TodoKinds.Acknowledge, TodoKinds.Report, TodoKinds.Complete, TodoKinds.Milestone,
            TodoKinds.DecideClosure, TodoKinds.DecideExtension],
        ["/deliverables"] = [TodoKinds.SubmitDeliverable, TodoKinds.ReviewDeliverable],
        ["/supervision"] = [TodoKinds.ArrangeTalk, TodoKinds.RecordTalk, TodoKinds.Escalation],
    };

    public async Task<IReadOnlyDictionary<string, long>> CountsAsync(CancellationToken ct)
    {
        if (counts is not null) return counts;
        var user = accessor.HttpContext?.User;
        if (user?.Identity?.IsAuthenticated != true) return counts = new Dictionary<string, long>();
        await using var connection = await db.OpenConnectionAsync(ct);
        return counts = await TodoQuery.CountsAsync(connection, CurrentUser.From(user), clock.GetUtcNow(), ct);
    }
}
