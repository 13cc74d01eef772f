using Dapper;
using Npgsql;
using Rectify.TestSupport;
using Rectify.Workflows.Persistence;

namespace Rectify.Workflows.Tests.Persistence;

/// <summary>
/// Issue 18: rows take timestamptz columns as <see cref="DateTimeOffset"/> through one Dapper type handler (no
/// <c>DateTime.SpecifyKind</c> at each read). The instant must come back unchanged and at offset 0 (UTC), whatever the
/// session's time zone, in a record, a tuple and a nullable column; and a DateTimeOffset parameter is written as the
/// same instant.
/// </summary>
public sealed class DapperTypeHandlerTests : IAsyncLifetime
{
    private TestDatabase db = null!;
    private NpgsqlDataSource source = null!;

    private sealed record Row(long Id, DateTimeOffset At, DateTimeOffset? Maybe);

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        DapperTypeHandlers.Register();
        source = db.CreateDataSource();
    }

    public async Task DisposeAsync()
    {
        await source.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Timestamptz_ReadInShanghaiSession_SameInstantAtUtcOffset()
    {
        await using var c = await source.OpenConnectionAsync();
        await c.ExecuteAsync("set time zone 'Asia/Shanghai'");
        const string sql = """
            select 1::bigint as Id, timestamptz '2026-11-30 23:30:00+08' as At, null::timestamptz as Maybe
            union all
            select 2, timestamptz '2026-12-01 00:15:00+00', timestamptz '2026-12-01 08:15:00+08'
            order by 1
            """;
        var rows = (await c.QueryAsync<Row>(sql)).ToList();
        rows[0].At.ShouldBe(new DateTimeOffset(2026, 11, 30, 15, 30, 0, TimeSpan.Zero));
        rows[0].At.Offset.ShouldBe(TimeSpan.Zero);
        rows[0].Maybe.ShouldBeNull();
        rows[1].Maybe.ShouldBe(new DateTimeOffset(2026, 12, 1, 0, 15, 0, TimeSpan.Zero));
        rows[1].Maybe!.Value.Offset.ShouldBe(TimeSpan.Zero);

        var tuple = await c.QuerySingleAsync<(long Id, DateTimeOffset At)>("select 3::bigint, timestamptz '2026-06-20 09:00:00+08'");
        tuple.At.ShouldBe(new DateTimeOffset(2026, 6, 20, 1, 0, 0, TimeSpan.Zero));
        tuple.At.Offset.ShouldBe(TimeSpan.Zero);
        (await c.ExecuteScalarAsync<DateTimeOffset>("select timestamptz '2026-06-20 09:00:00+08'")).Offset.ShouldBe(TimeSpan.Zero);
        (await c.ExecuteScalarAsync<DateTimeOffset?>("select null::timestamptz")).ShouldBeNull();
        (await c.ExecuteScalarAsync<DateTimeOffset?>("select timestamptz '2026-06-20 09:00:00+08'"))
            .ShouldBe(new DateTimeOffset(2026, 6, 20, 1, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task DateTimeOffsetParameter_WrittenAsTimestamptz_ReadBackEqual()
    {
        await using var c = await source.OpenConnectionAsync();
        var at = new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);
        (await c.ExecuteScalarAsync<string>("select pg_typeof(@at)::text", new { at })).ShouldBe("timestamp with time zone");
        (await c.QuerySingleAsync<DateTimeOffset>("select @at", new { at })).ShouldBe(at);
        (await c.ExecuteScalarAsync<bool>("select @at = timestamptz '2026-12-05 00:00:00+08'", new { at })).ShouldBeTrue();
    }

    [Fact]
    public async Task NullDateTimeOffsetParameter_StillTypedTimestamptz()
    {
        // A TypeHandler<T> is not called for a null; were DateTimeOffset parameters routed through the handler, a null
        // would go untyped (text, or "could not determine data type of parameter" where nothing else gives it one).
        await using var c = await source.OpenConnectionAsync();
        DateTimeOffset? none = null;
        (await c.ExecuteScalarAsync<string>("select pg_typeof(@none)::text", new { none })).ShouldBe("timestamp with time zone");
        (await c.ExecuteScalarAsync<bool>("select @none is null", new { none })).ShouldBeTrue();
        (await c.ExecuteScalarAsync<DateTimeOffset?>("select @none", new { none })).ShouldBeNull();
        DateTimeOffset? some = new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);
        (await c.ExecuteScalarAsync<string>("select pg_typeof(@some)::text", new { some })).ShouldBe("timestamp with time zone");
    }
}
