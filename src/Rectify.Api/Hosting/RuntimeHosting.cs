using Rectify.Api.Features.Calendar;
using Rectify.Api.Features.Deliverables;
using Rectify.Api.Features.Escalations;
using Rectify.Api.Features.Runtime;
using Rectify.Api.Features.Workflows;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Hosting;

/// <summary>The workflow runtime's endpoints (issue 3) and its request pipeline piece (Idempotency-Key).</summary>
public static class RuntimeHosting
{

    public static WebApplication UseRectifyIdempotency(this WebApplication app)
    {
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    public static IEndpointRouteBuilder MapRectifyRuntime(this IEndpointRouteBuilder app)
    {
        app.MapWorkflowDefinitionsApi();
        app.MapCalendarApi();
        app.MapRuntimeApi();
        app.MapEscalationsApi();
        app.MapDeliverablesApi();
        return app;
    }
}
