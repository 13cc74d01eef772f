using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18: the first thing a newcomer saw from a fresh clone was a <c>fail:</c> with a stack trace, because the
/// data-protection key ring was read before the migrations had created its table.
/// </summary>
public sealed class FirstStartTests
{
    [Fact]
    public async Task EmptyDatabase_FirstStart_LogsNoErrorAndIsReady()
    {
        var logs = new CapturingLoggerProvider();
        var app = new LoggingApp(logs) { ExistingDatabase = await TestDatabase.CreateEmptyAsync() };
        IAsyncLifetime lifetime = app;
        await lifetime.InitializeAsync();
        try
        {
            (await app.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
            // The key ring is used (an antiforgery token on the sign-in page) and still nothing failed.
            (await app.CreateClient().GetAsync("/login")).StatusCode.ShouldBe(HttpStatusCode.OK);
            logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ShouldBeEmpty();
        }
        finally
        {
            await lifetime.DisposeAsync();
        }
    }

    private sealed class LoggingApp(CapturingLoggerProvider logs) : RectifyApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.AddProvider(logs));
        }
    }

    private sealed record Entry(string Category, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> entries = new();
        public IReadOnlyCollection<Entry> Entries => entries;
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new Entry(category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception.GetType().Name)));
        }
    }
}
