using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Rectify.Api.Hosting;

/// <summary>
/// The request log: one line per request (method, path and query with secrets redacted, status, time). Calendar feeds
/// are fetched with <c>?token=…</c>, which is as good as a password (issue 19: tokens landed in the request log).
/// ASP.NET's own "Request starting …" lines print the raw query string, so their category is held at Warning
/// (<see cref="ServiceRegistration.AddRectifyLogging"/>) and this log replaces them. Off by default; on with
/// <c>Logging__LogLevel__Rectify.Requests=Information</c>.
/// </summary>
public static partial class RequestLog
{
    public const string Category = "Rectify.Requests";

    public static WebApplication UseRectifyRequestLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                logger.LogInformation("HTTP {Method} {Target} → {Status} in {Elapsed:0.0} ms", context.Request.Method,
                    Redact(context.Request.Path + context.Request.QueryString), context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        return app;
    }

    /// <summary>Query values of token-like parameters (token, access_token, key, secret, sign, signature, password) become ***.</summary>
    public static string Redact(string target) => SecretParameter().Replace(target, m => m.Groups[1].Value + "***");

    [GeneratedRegex(@"((?:^|[?&;])(?:[a-z_]*token|key|secret|sign|signature|password|pwd)=)[^&;#]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretParameter();
}
