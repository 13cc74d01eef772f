using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

/// <summary>Every log line the service writes, with ASP.NET's request lines and the request log switched on, as an operator would.</summary>
public sealed class LoggingApp : RectifyApp
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        ["Logging:LogLevel:Rectify.Requests"] = "Information",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(new Capture(Lines)));
    }

    private sealed class Capture(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // The message and every structured value: a token must be in neither.
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{category} {formatter(state, exception)} {values}");
            }
        }
    }
}

/// <summary>Issue 19: calendar-feed tokens (as good as a password) were written to the request log.</summary>
public sealed class RequestLogTests(LoggingApp app) : IClassFixture<LoggingApp>
{
    [Fact]
    public async Task CalendarFeedToken_NeverReachesTheLog_TheRequestLineDoes()
    {
        const string token = "feedtok-9f8e7d6c5b4a";
        await app.CreateClient().GetAsync($"/api/units/nobody/deadlines.ics?token={token}&x=1");
        await app.CreateClient().GetAsync($"/api/people/{Guid.NewGuid()}/deadlines.ics?access_token={token}");
        var lines = app.Lines.ToArray();
        lines.ShouldContain(l => l.StartsWith("Rectify.Requests", StringComparison.Ordinal) && l.Contains("/api/units/nobody/deadlines.ics?token=***&x=1", StringComparison.Ordinal),
            string.Join("\n", lines.TakeLast(20)));
        lines.ShouldNotContain(l => l.Contains(token, StringComparison.Ordinal), string.Join("\n", lines.Where(l => l.Contains(token, StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("/a?token=abc", "/a?token=***")]
    [InlineData("/a?x=1&Token=abc&y=2", "/a?x=1&Token=***&y=2")]
    [InlineData("/a?access_token=abc", "/a?access_token=***")]
    [InlineData("/a?key=abc&sign=def", "/a?key=***&sign=***")]
    [InlineData("/a?monkey=abc", "/a?monkey=abc")]
    public void Redact_HidesTokenLikeValuesOnly(string target, string expected) =>
        Rectify.Api.Hosting.RequestLog.Redact(target).ShouldBe(expected);
}
