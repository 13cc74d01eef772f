using Rectify.Api.Features.Admin;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Calendar;
using Rectify.Api.Features.CalendarFeeds;
using Rectify.Api.Features.Campaigns;
using Rectify.Api.Features.Deliverables;
using Rectify.Api.Features.Documents;
using Rectify.Api.Features.Escalations;
using Rectify.Api.Features.Import;
using Rectify.Api.Features.Items;
using Rectify.Api.Features.Notifications;
using Rectify.Api.Features.People;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Features.Talks;
using Rectify.Api.Features.Todo;
using Rectify.Api.Features.Units;
using Rectify.Api.Features.Users;
using Rectify.Api.Features.Workflows;
using Rectify.Api.Jobs;

namespace Rectify.Api.Hosting;

/// <summary>
/// The one map of the node's endpoints: every group, in the order docs/api.md lists them. A new feature adds its
/// <c>Map…Api</c> here and its routes to docs/api.md (ApiDocumentTests checks the two agree).
/// </summary>
public static class Endpoints
{
    public static WebApplication MapRectifyEndpoints(this WebApplication app)
    {
        app.MapRectifyHealth();             // /health/live, /health/ready
        app.MapRectifyOpenApi();            // /openapi/v1.json, /swagger
        app.MapAuthApi();                   // /api/auth/…, sessions, passwords
        app.MapUnitsApi();                  // /api/units
        app.MapUnitGroupsApi();             // /api/unit-groups, /api/unit-aliases
        app.MapPeopleApi();                 // /api/people
        app.MapUsersApi();                  // /api/users
        app.MapWorkflowDefinitionsApi();    // /api/workflow-definitions
        app.MapCalendarApi();               // /api/calendar
        app.MapCampaignsApi();              // /api/campaigns
        app.MapItemsApi();                  // /api/items, /api/campaigns/{id}/items, milestones
        app.MapSourcesApi();                // /api/item-sources
        app.MapRuntimeApi();                // /api/campaigns/{id}/launch
        app.MapItemEventsApi();             // /api/items/{id}/events
        app.MapAttachmentsApi();            // /api/items/{id}/attachments, /api/attachments/{id}
        app.MapTimelineApi();               // /api/items/{id}/timeline
        app.MapEscalationsApi();            // /api/escalations, …/subjects (inbox), …/{id}/talk (约谈 appointment)
        app.MapManualLettersApi();          // /api/items/{id}/letters (督办函 by hand)
        app.MapDeliverablesApi();           // /api/deliverables
        app.MapTalksApi();                  // admonitory talks (约谈)
        app.MapTodoApi();                   // /api/todo (待办)
        app.MapImportApi();                 // /api/campaigns/{id}/items/import
        app.MapDocumentsApi();              // ledger.xlsx, report.docx
        app.MapCalendarFeedApi();           // /api/units/{code}/deadlines.ics
        app.MapNotificationsApi();          // /api/notifications
        app.MapInboxApi();                  // /api/inbox
        app.MapPreferencesApi();            // notification preferences, channel secrets
        app.MapLettersApi();                // supervision letters
        app.MapClockApi();                  // /api/admin/clock
        app.MapIncidentsApi();              // /api/admin/incidents
        app.MapBackgroundTasksApi();        // /api/tasks, /api/campaigns/{id}/ledger/export
        app.MapRectifyJobsDashboard();      // /admin/jobs (Hangfire's dashboard)
        app.MapRazorPages();                // the web UI
        return app;
    }
}
