using Rectify.Api.Infrastructure;

namespace Rectify.Api.Hosting;

/// <summary>The workflow runtime's request pipeline piece (Idempotency-Key); its endpoints are in <see cref="Endpoints"/>.</summary>
public static class RuntimeHosting
{

    public static WebApplication UseRectifyIdempotency(this WebApplication app)
    {
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }
}
