using Npgsql;
using Rectify.TestSupport;

namespace Rectify.Notifications.Tests.Support;

/// <summary>A database of its own for a test class whose tests start their own nodes with their own settings.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public Seed Seed { get; private set; } = null!;
    public string ConnectionString => Database.ConnectionString;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Db = Database.CreateDataSource();
        Seed = new Seed(Db);
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await Database.DisposeAsync();
    }
}
