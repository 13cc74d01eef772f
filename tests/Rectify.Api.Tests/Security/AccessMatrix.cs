using System.Net.Http.Json;
using System.Text;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// Who may do what, written once as rules over (role, ownership) and expanded into every cell. The columns are fixed
/// records of <see cref="AccessMatrixWorld"/>: <see cref="OwnUnit"/> belongs to the unit user's unit in campaign A
/// (issued by the leading-group user's office, supervised by the supervisor's office), <see cref="OtherUnit"/> to another
/// unit in campaign A, <see cref="OtherCampaign"/> to another county's campaign B.
/// </summary>
public static class AccessMatrix
{
    public const string Admin = "admin", LeadingGroup = "leadingGroup", Supervisor = "supervisor", Unit = "unit", Anonymous = "anonymous";
    public const string OwnUnit = "ownUnit", OtherUnit = "otherUnit", OtherCampaign = "otherCampaign", Any = "-";
    public static readonly string[] Roles = [Admin, LeadingGroup, Supervisor, Unit, Anonymous];

    private static readonly string[] ItemColumns = [OwnUnit, OtherUnit, OtherCampaign];
    private static readonly string[] CampaignColumns = [OwnUnit, OtherCampaign];
    private static readonly string[] NoColumns = [Any];

    /// <summary>Operations kept out of the matrix, and where their access is tested instead.</summary>
    public static readonly IReadOnlyDictionary<string, string> Elsewhere = new Dictionary<string, string>
    {
        ["POST /api/auth/token"] = "anonymous by nature: sign-in and its lockout, SecurityBasicsTests",
        ["POST /api/auth/revoke"] = "revokes the caller's own token: AuthTests",
        ["POST /api/auth/logout"] = "ends the caller's own session: Accounts.SessionsTests",
        ["POST /api/auth/password"] = "changes the caller's own password: Accounts.SessionsTests",
        ["POST /api/inbox/{id}/read"] = "another person's message is 404: NotificationsApiTests.Inbox…",
        ["GET /api/units/{code}/deadlines.ics"] = "token or signed-in scope: CalendarFeedTests",
        ["GET /api/people/{id}/deadlines.ics"] = "token or signed-in scope: CalendarFeedTests",
        ["POST /api/campaigns/{campaignId}/ledger/export"] = "the ledger's visibility, then a task of the caller's own: Jobs.BackgroundTasksTests",
        ["POST /api/campaigns/{campaignId}/archive/export"] = "offices and administrator of a visible campaign, then a task of the caller's own: Jobs.ArchiveExportTests",
        ["GET /api/tasks"] = "lists the caller's own tasks: Jobs.BackgroundTasksTests",
        ["GET /api/tasks/{id}"] = "the caller's own task, another's is 404: Jobs.BackgroundTasksTests",
        ["GET /api/tasks/{id}/result"] = "the caller's own task, another's is 404: Jobs.BackgroundTasksTests",
    };

    // ---- rules -------------------------------------------------------------------------------------------------

    /// <summary>The item (or what hangs off it) is visible: offices see their campaign's, a unit only its own unit's.</summary>
    private static bool Sees(string role, string column) => role switch
    {
        Admin => true,
        LeadingGroup or Supervisor => column != OtherCampaign,
        Unit => column == OwnUnit,
        _ => false,
    };

    private static bool Manages(string role, string column) => role == Admin || (role == LeadingGroup && column != OtherCampaign);
    private static bool ManagesOrganisation(string role) => role is Admin or LeadingGroup;

    private static Expect Read(string role, string column) => Sees(role, column) ? Expect.Ok : Expect.Hidden;

    private static Expect List(string role, string column) => Sees(role, column) ? Expect.Listed : Expect.Empty;

    /// <summary>Changing a campaign or its items: the office that issued it (and the administrator).</summary>
    private static Expect Manage(string role, string column) =>
        !ManagesOrganisation(role) ? Expect.Forbidden : !Sees(role, column) ? Expect.Hidden : Manages(role, column) ? Expect.Allowed : Expect.Forbidden;

    /// <summary>Events: whoever sees the item may try; the workflow definition then decides (422), never the matrix.</summary>
    private static Expect Act(string role, string column) => Sees(role, column) ? Expect.Allowed : Expect.Hidden;

    private static Expect Organisation(string role, string column) => ManagesOrganisation(role) ? Expect.Allowed : Expect.Forbidden;

    private static Expect AdminOnly(string role, string column) => role == Admin ? Expect.Allowed : Expect.Forbidden;

    private static Expect Everyone(string role, string column) => Expect.Ok;

    private static Expect AdminOrAbsent(string role, string column) => role == Admin ? Expect.AllowedOrAbsent : Expect.Forbidden;

    private const string NoUser = "0190a5a5-0000-7000-8000-000000000019";

    // ---- bodies: a refused cell gets a valid request (it would change data if let through), an allowed one a request
    //      that passes the access check and is then refused for its content ------------------------------------------

    private static HttpContent Json(object body) => JsonContent.Create(body);
    private static HttpContent Invalid() => new StringContent("{}", Encoding.UTF8, "application/json");

    private static Func<bool, HttpContent?> Bodies(object valid) => refused => refused ? Json(valid) : Invalid();

    private static HttpContent Png() => new MultipartFormDataContent
    {
        { new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2]), "file", "越权.png" },
    };

    private static Func<bool, HttpContent?> Upload => refused => refused ? Png() : new MultipartFormDataContent { { new StringContent("x"), "note" } };

    private static readonly Func<bool, HttpContent?> None = _ => null;

    private static readonly object ValidItem = new { title = "越权添加的问题", leadUnit = "m-fp", units = new[] { "m-fp" }, deadline = "2026-09-30", ongoing = false };

    private static readonly object ValidCampaign = new
    {
        title = "越权修改", issuedByUnit = "m-alg", supervisionUnit = "m-adc", timeZone = "Asia/Shanghai", workflow = new { id = "rectification-campaign" },
    };

    // ---- the endpoints -------------------------------------------------------------------------------------------

    public static readonly IReadOnlyList<Endpoint> Endpoints =
    [
        // Campaigns: column ownUnit is campaign A (it contains the unit user's item), otherCampaign is B.
        new("GET /api/campaigns/{id}", "/api/campaigns/{campaign}", CampaignColumns, Read, None),
        new("PUT /api/campaigns/{id}", "/api/campaigns/{campaign}", CampaignColumns, Manage, Bodies(ValidCampaign)),
        new("POST /api/campaigns/{campaignId}/items", "/api/campaigns/{campaign}/items", CampaignColumns, Manage, Bodies(ValidItem)),
        new("POST /api/campaigns/{campaignId}/items/import", "/api/campaigns/{campaign}/items/import", CampaignColumns, Manage,
            refused => refused
                ? new MultipartFormDataContent { { new ByteArrayContent("序号,问题,牵头单位,整改时限\n1,越权导入,m-fp,2026-09-30\n"u8.ToArray()), "file", "清单.csv" } }
                : new MultipartFormDataContent { { new StringContent("x"), "note" } }),
        new("POST /api/campaigns/{id}/launch", "/api/campaigns/{campaign}/launch", CampaignColumns, Manage, None),
        // Closing (issue 13.6): the issuing office and the administrator; the world's campaigns have open items, so an
        // allowed caller is refused for them (422 listing them) and nothing closes.
        new("POST /api/campaigns/{id}/close", "/api/campaigns/{campaign}/close", CampaignColumns, Manage, Bodies(new { note = "越权结束" })),
        new("GET /api/campaigns/{id}/units", "/api/campaigns/{campaign}/units", CampaignColumns, Read, None),
        new("GET /api/campaigns/{campaignId}/ledger.xlsx", "/api/campaigns/{campaign}/ledger.xlsx", CampaignColumns, Read, None),
        new("GET /api/campaigns/{campaignId}/report.docx", "/api/campaigns/{campaign}/report.docx", CampaignColumns, Read, None),
        new("GET /api/items?campaignId", "/api/items?campaignId={campaign}", CampaignColumns, List, None),
        new("GET /api/escalations?campaignId", "/api/escalations?campaignId={campaign}", CampaignColumns, List, None),
        new("GET /api/escalations/subjects?campaignId", "/api/escalations/subjects?campaignId={campaign}", CampaignColumns, List, None),
        new("GET /api/deliverables?campaignId", "/api/deliverables?campaignId={campaign}", CampaignColumns, List, None),
        new("GET /api/notifications?campaignId", "/api/notifications?campaignId={campaign}", CampaignColumns, List, None),

        // Items and what hangs off them.
        new("GET /api/items/{id}", "/api/items/{item}", ItemColumns, Read, None),
        new("PUT /api/items/{id}", "/api/items/{item}", ItemColumns, Manage, Bodies(ValidItem)),
        new("DELETE /api/items/{id}", "/api/items/{item}", ItemColumns, Manage, None),
        new("POST /api/items/{id}/events", "/api/items/{item}/events", ItemColumns, Act,
            refused => refused ? Json(new { type = "progress", note = "越权报告进展" }) : Json(new { type = "没有这种事件" })),
        // A milestone is marked done by the item's own units and its office; the matrix's items have none, so an allowed
        // cell ends in the 404 of an unknown milestone (AllowedOrAbsent), a refused one never gets that far.
        new("POST /api/items/{id}/milestones/{seq}/done", "/api/items/{item}/milestones/1/done", ItemColumns,
            (role, column) => !Sees(role, column) ? Expect.Hidden : role == Supervisor ? Expect.Forbidden : Expect.AllowedOrAbsent, None),
        new("GET /api/items/{id}/timeline", "/api/items/{item}/timeline", ItemColumns, Read, None),
        new("GET /api/items/{id}/attachments", "/api/items/{item}/attachments", ItemColumns, Read, None),
        new("POST /api/items/{id}/attachments", "/api/items/{item}/attachments", ItemColumns, Act, Upload),
        new("GET /api/items/{id}/talks", "/api/items/{item}/talks", ItemColumns, Read, None),
        new("POST /api/items/{id}/talks", "/api/items/{item}/talks", ItemColumns,
            (role, column) => !Sees(role, column) ? Expect.Hidden : role is Admin or LeadingGroup or Supervisor ? Expect.Allowed : Expect.Forbidden,
            Bodies(new { heldOn = "2026-06-17", people = "越权", note = "越权记录" })),
        new("GET /api/attachments/{id}", "/api/attachments/{attachment}", ItemColumns, Read, None),
        new("GET /api/notifications?itemId", "/api/notifications?itemId={item}", ItemColumns, List, None),
        new("POST /api/notifications/{id}/retry", "/api/notifications/{notification}/retry", ItemColumns,
            (role, column) => !ManagesOrganisation(role) ? Expect.Forbidden : Sees(role, column) ? Expect.Allowed : Expect.Hidden, None),
        new("GET /api/escalations/{id}/letter.docx", "/api/escalations/{escalation}/letter.docx", ItemColumns, Read, None),
        new("POST /api/items/{id}/letters", "/api/items/{item}/letters", ItemColumns,
            (role, column) => !Sees(role, column) ? Expect.Hidden : role is Admin or Supervisor ? Expect.Allowed : Expect.Forbidden,
            Bodies(new { replyBy = "2026-12-31", note = "越权督办" })),
        // 约谈 appointments: the office holding the talk (the supervision office here) and the administrator; the world's
        // escalation is a supervision letter, so an allowed caller is refused by the state (422), never by the matrix.
        new("POST /api/escalations/{id}/talk", "/api/escalations/{escalation}/talk", ItemColumns,
            (role, column) => !Sees(role, column) ? Expect.Hidden : role is Admin or Supervisor ? Expect.Allowed : Expect.Forbidden,
            refused => refused ? Json(new { at = "2030-06-17T09:30", place = "越权会议室", attendees = "越权" }) : Invalid()),

        // Deliverables (unit plans and reports): the owing unit and the campaign's offices.
        new("GET /api/deliverables/{id}", "/api/deliverables/{deliverable}", ItemColumns, Read, None),
        new("POST /api/deliverables/{id}/events", "/api/deliverables/{deliverable}/events", ItemColumns, Act,
            refused => refused ? Json(new { type = "accept" }) : Json(new { type = "没有这种事件" })),
        new("POST /api/deliverables/{id}/attachments", "/api/deliverables/{deliverable}/attachments", ItemColumns,
            (role, column) => !Sees(role, column) ? Expect.Hidden : role is Admin || (role == Unit && column == OwnUnit) ? Expect.Allowed : Expect.Forbidden,
            Upload),

        // People: the directory is open to every signed-in user; preferences to the person and the offices.
        new("GET /api/people/{id}", "/api/people/{person}", ItemColumns, Everyone, None),
        new("PUT /api/people/{id}", "/api/people/{person}", ItemColumns, Organisation,
            Bodies(new { name = "越权改名", unitCode = "m-fp", isUnitContact = true })),
        new("GET /api/people/{id}/preferences", "/api/people/{person}/preferences", ItemColumns,
            (role, column) => role is Admin or LeadingGroup or Supervisor || column == OwnUnit ? Expect.Ok : Expect.Hidden, None),
        new("PUT /api/people/{id}/preferences", "/api/people/{person}/preferences", ItemColumns,
            (role, column) => role is Admin or LeadingGroup || (role == Unit && column == OwnUnit) ? Expect.Allowed : Expect.Forbidden,
            refused => refused ? Json(new { channels = new[] { "inbox" }, digest = true }) : Json(new { channels = new[] { "信鸽" } })),
        new("GET /api/people/{id}/channel-secrets", "/api/people/{person}/channel-secrets", ItemColumns,
            (role, _) => ManagesOrganisation(role) ? Expect.Ok : Expect.Forbidden, None),
        new("PUT /api/people/{id}/channel-secrets", "/api/people/{person}/channel-secrets", ItemColumns, Organisation,
            refused => refused ? Json(new { dingtalkSecret = "SEC越权" }) : Json(new { webhookUrl = "不是网址" })),
        new("GET /api/people/{id}/calendar-feed", "/api/people/{person}/calendar-feed", ItemColumns,
            (role, column) => role == Admin || (role == Unit && column == OwnUnit) ? Expect.Ok : Expect.Forbidden, None),
        new("POST /api/people/{id}/calendar-feed", "/api/people/{person}/calendar-feed", ItemColumns,
            (role, column) => role == Admin || (role == Unit && column == OwnUnit) ? Expect.Ok : Expect.Forbidden, None),
        new("DELETE /api/people/{id}/calendar-feed", "/api/people/{person}/calendar-feed", ItemColumns,
            (role, column) => role == Admin || (role == Unit && column == OwnUnit) ? Expect.AllowedOrAbsent : Expect.Forbidden, None),

        // Units.
        new("GET /api/units/{code}", "/api/units/{unit}", ItemColumns, Everyone, None),
        new("PUT /api/units/{code}", "/api/units/{unit}", ItemColumns, Organisation, Bodies(new { name = "越权改名", kind = "department" })),
        new("GET /api/units/{code}/calendar-feed", "/api/units/{unit}/calendar-feed", ItemColumns,
            (role, column) => role == Admin || (role == Unit && column == OwnUnit) ? Expect.Ok : Expect.Forbidden, None),
        new("POST /api/units/{code}/calendar-feed", "/api/units/{unit}/calendar-feed", ItemColumns,
            (role, column) => role == Admin || (role == Unit && column == OwnUnit) ? Expect.Ok : Expect.Forbidden, None),
        new("DELETE /api/units/{code}/calendar-feed", "/api/units/{unit}/calendar-feed", ItemColumns,
            (role, column) => role == Admin || (role == Unit && column == OwnUnit) ? Expect.AllowedOrAbsent : Expect.Forbidden, None),

        // No ownership: lists filter themselves (their content is checked by the campaign and item rows above).
        new("GET /api/campaigns", "/api/campaigns", NoColumns, Everyone, None),
        new("POST /api/campaigns", "/api/campaigns", NoColumns, Organisation, Bodies(ValidCampaign)),
        new("GET /api/campaigns/import-template.xlsx", "/api/campaigns/import-template.xlsx", NoColumns, Everyone, None),
        new("GET /api/items", "/api/items", NoColumns, Everyone, None),
        new("GET /api/escalations", "/api/escalations", NoColumns, Everyone, None),
        new("GET /api/escalations/subjects", "/api/escalations/subjects", NoColumns, Everyone, None),
        new("GET /api/deliverables", "/api/deliverables", NoColumns, Everyone, None),
        new("GET /api/notifications", "/api/notifications", NoColumns, Everyone, None),
        new("GET /api/inbox", "/api/inbox", NoColumns, Everyone, None),
        // 待办: the caller's own list (what each role finds in it is TodoTests).
        new("GET /api/todo", "/api/todo", NoColumns, Everyone, None),
        new("POST /api/inbox/read-all", "/api/inbox/read-all", NoColumns, Everyone, None),
        new("GET /api/auth/me", "/api/auth/me", NoColumns, Everyone, None),
        new("GET /api/units", "/api/units", NoColumns, Everyone, None),
        new("POST /api/units", "/api/units", NoColumns, Organisation, Bodies(new { code = "m-evil", name = "越权新建", kind = "department" })),
        new("GET /api/people", "/api/people", NoColumns, Everyone, None),
        new("POST /api/people", "/api/people", NoColumns, Organisation, Bodies(new { name = "越权新建", unitCode = "m-fp" })),
        new("GET /api/users", "/api/users", NoColumns, AdminOnly, None),
        new("POST /api/users", "/api/users", NoColumns, AdminOnly,
            Bodies(new { userName = "m-evil", password = "Passw0rd!evil", role = "admin" })),
        // Accounts: administrators only (an id that names nobody: the refusal comes before the look-up).
        new("GET /api/users/{id}", $"/api/users/{NoUser}", NoColumns, AdminOrAbsent, None),
        new("POST /api/users/{id}/disable", $"/api/users/{NoUser}/disable", NoColumns, AdminOrAbsent, None),
        new("POST /api/users/{id}/enable", $"/api/users/{NoUser}/enable", NoColumns, AdminOrAbsent, None),
        new("POST /api/users/{id}/reset-password", $"/api/users/{NoUser}/reset-password", NoColumns, AdminOrAbsent,
            refused => refused ? Json(new { newPassword = "Uebernommen-Kennwort-1" }) : Invalid()),
        new("GET /api/users/{id}/sessions", $"/api/users/{NoUser}/sessions", NoColumns, AdminOrAbsent, None),
        new("DELETE /api/users/{id}/sessions", $"/api/users/{NoUser}/sessions", NoColumns, AdminOrAbsent, None),
        new("GET /api/unit-groups", "/api/unit-groups", NoColumns, Everyone, None),
        new("PUT /api/unit-groups/{name}", "/api/unit-groups/%E8%B6%8A%E6%9D%83%E7%BB%84", NoColumns, Organisation,
            refused => refused ? Json(new { aliases = Array.Empty<string>(), units = Array.Empty<string>() }) : Json(new { aliases = Array.Empty<string>(), units = new[] { "no-such-unit" } })),
        new("DELETE /api/unit-groups/{name}", "/api/unit-groups/%E4%B8%8D%E5%AD%98%E5%9C%A8", NoColumns,
            (role, column) => ManagesOrganisation(role) ? Expect.AllowedOrAbsent : Expect.Forbidden, None),
        new("GET /api/item-sources", "/api/item-sources", NoColumns, Everyone, None),
        new("PUT /api/item-sources/{name}", "/api/item-sources/%E8%B6%8A%E6%9D%83%E6%9D%A5%E6%BA%90", NoColumns, Organisation,
            refused => refused ? Json(new { sort = 5 }) : Json(new { sort = -1 })),
        new("DELETE /api/item-sources/{name}", "/api/item-sources/%E4%B8%8D%E5%AD%98%E5%9C%A8", NoColumns,
            (role, column) => ManagesOrganisation(role) ? Expect.AllowedOrAbsent : Expect.Forbidden, None),
        new("GET /api/unit-aliases", "/api/unit-aliases", NoColumns, Everyone, None),
        new("PUT /api/unit-aliases/{alias}", "/api/unit-aliases/%E8%B6%8A%E6%9D%83%E5%88%AB%E5%90%8D", NoColumns, Organisation,
            refused => refused ? Json(new { unitCode = "m-lg" }) : Json(new { unitCode = "no-such-unit" })),
        new("DELETE /api/unit-aliases/{alias}", "/api/unit-aliases/%E4%B8%8D%E5%AD%98%E5%9C%A8", NoColumns,
            (role, column) => ManagesOrganisation(role) ? Expect.AllowedOrAbsent : Expect.Forbidden, None),
        new("GET /api/calendar/{year}", "/api/calendar/2026", NoColumns, Everyone, None),
        new("PUT /api/calendar/days/{date}", "/api/calendar/days/2026-07-01", NoColumns, Organisation,
            refused => refused ? Json(new { kind = "holiday", name = "越权放假" }) : Json(new { kind = "半天" })),
        new("DELETE /api/calendar/days/{date}", "/api/calendar/days/2026-10-01", NoColumns,
            (role, column) => ManagesOrganisation(role) ? Expect.AllowedOrAbsent : Expect.Forbidden, None),
        new("GET /api/workflow-definitions", "/api/workflow-definitions", NoColumns, Everyone, None),
        new("GET /api/workflow-definitions/{id}", "/api/workflow-definitions/rectification-campaign", NoColumns, Everyone, None),
        new("POST /api/workflow-definitions", "/api/workflow-definitions", NoColumns, AdminOnly,
            refused => refused ? Json(new { id = "m-evil", name = "越权发布" }) : Invalid()),
        new("GET /api/admin/clock", "/api/admin/clock", NoColumns, (role, _) => role == Admin ? Expect.Ok : Expect.Forbidden, None),
        new("GET /api/admin/incidents", "/api/admin/incidents", NoColumns, (role, _) => role == Admin ? Expect.Ok : Expect.Forbidden, None),
        new("GET /api/admin/incidents/{id}", "/api/admin/incidents/987654321", NoColumns,
            (role, _) => role == Admin ? Expect.AllowedOrAbsent : Expect.Forbidden, None),
        new("POST /api/admin/incidents/{id}/retry", "/api/admin/incidents/987654321/retry", NoColumns,
            (role, _) => role == Admin ? Expect.AllowedOrAbsent : Expect.Forbidden, None),
        new("POST /api/admin/clock", "/api/admin/clock", NoColumns, AdminOnly,
            refused => refused ? Json(new { advanceBy = "P30D" }) : Json(new { advanceBy = "不是时长" })),
    ];

    public static IEnumerable<MatrixCell> Cells()
    {
        foreach (var endpoint in Endpoints)
        {
            foreach (var role in Roles)
            {
                foreach (var column in endpoint.Columns)
                    yield return new MatrixCell(endpoint, role, column, role == Anonymous ? Expect.Unauthorized : endpoint.Rule(role, column));
            }
        }
    }
}
