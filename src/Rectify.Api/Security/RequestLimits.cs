using Microsoft.AspNetCore.Http.Features;

namespace Rectify.Api.Security;

public sealed class RequestLimitOptions
{
    /// <summary>JSON and form bodies: far above any real request, far below what would hurt.</summary>
    public long MaxJsonBytes { get; set; } = 1 * 1024 * 1024;
    /// <summary>Multipart uploads (evidence, imports).</summary>
    public long MaxUploadBytes { get; set; } = 50 * 1024 * 1024;
}

/// <summary>Caps request bodies by kind before anything reads them; an oversized body is a 413 problem, never a 500.</summary>
public static class RequestLimits
{
    public static WebApplication UseRectifyRequestLimits(this WebApplication app)
    {
        var options = app.Configuration.GetSection("Rectify:Limits").Get<RequestLimitOptions>() ?? new RequestLimitOptions();
        app.Use(async (context, next) =>
        {
            var multipart = context.Request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true;
            var limit = multipart ? options.MaxUploadBytes : options.MaxJsonBytes;
            if (context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await Results.Problem(statusCode: 413, title: "请求内容过大 / Payload too large",
                    detail: $"请求体不能超过 {limit / 1024 / 1024} MB。").ExecuteAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
            await next(context);
        });
        return app;
    }
}
