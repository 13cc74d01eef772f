using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Rectify.TestSupport;

/// <summary>
/// The real service in process (WebApplicationFactory) on a database of its own. Use as a class fixture.
/// Settings can be added by subclasses through <see cref="Settings"/>.
/// </summary>
public class RectifyApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminPassword = "Admin@12345";
    public const string DemoPassword = "Demo@2026";

    public TestDatabase Database { get; private set; } = null!;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>When set before initialisation, the app runs on this (existing) database instead of a fresh one.</summary>
    public TestDatabase? ExistingDatabase { get; init; }

    public virtual async Task InitializeAsync()
    {
        Database = ExistingDatabase ?? await TestDatabase.CreateAsync();
        // Starts the host now, so start-up failures surface in InitializeAsync.
        // StartServer (not the Server property) so a subclass may host on Kestrel (UseKestrel) for browser tests.
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Rectify", Database.ConnectionString);
        builder.UseSetting("Rectify:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Rectify:Demo:Password", DemoPassword);
        builder.UseSetting("Rectify:DemoData", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:Console:FormatterName", "simple");
        // No Hangfire server (workers, schedulers) unless a test class asks for one: the tests call the jobs' classes
        // directly, and a clock move still builds the digests. Jobs tests set Rectify:Jobs:Server=true.
        builder.UseSetting("Rectify:Jobs:Server", "false");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>An HTTP client signed in as the given user through POST /api/auth/token.</summary>
    public async Task<HttpClient> ClientAsAsync(string userName, string password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/token", new { userName, password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    public Task<HttpClient> AdminAsync() => ClientAsAsync("admin", AdminPassword);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed record TokenBody(string AccessToken);
}
