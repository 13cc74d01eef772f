using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Persistence;
using Rectify.Workflows.Runtime;

namespace Rectify.Bench;

/// <summary>A fresh database on the bench's own PostgreSQL, migrated, with the shipped definition and calendar.</summary>
public static class BenchDatabase
{
    public static async Task<string> CreateAsync(string server, string name)
    {
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"drop database if exists {name} with (force)");
            await admin.ExecuteAsync($"create database {name}");
        }
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 40 }.ConnectionString;
        DapperTypeHandlers.Register();
        await using var source = NpgsqlDataSource.Create(cs);
        await new MigrationRunner(source, NullLogger<MigrationRunner>.Instance).MigrateAsync(default);
        var store = new DefinitionStore(source, EmbeddedSchema.Validator());
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "workflows", "rectification-campaign.json"));
        var published = await store.PublishAsync(json, DateTimeOffset.UtcNow, default);
        if (published.Errors.Count > 0) throw new InvalidOperationException("the shipped definition is invalid");
        await new CalendarSeeder(source, new WorkingCalendar(source), NullLogger<CalendarSeeder>.Instance).SeedAsync(default);
        return cs;
    }

    /// <summary>
    /// A county-like organisation scaled up: 200 units with one contact each (e-mail, so two channels), a draft campaign
    /// of <paramref name="items"/> items, deadlines spread over 60 days, each with three units (分解交办, issue 12): its lead
    /// unit and two responsible units, so three assignments per item (created with the items by the insert trigger).
    /// </summary>
    public static async Task<Guid> DraftCampaignAsync(string cs, int items, DateTimeOffset now)
    {
        var campaign = Guid.NewGuid();
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        await c.ExecuteAsync("""
            insert into units(code, name, kind) values ('lgo', '领导小组办公室', 'leadingGroup'), ('dcs', '督查室', 'supervisionOffice')
            on conflict do nothing;
            insert into units(code, name, kind) select 'u' || n, '单位 ' || n, 'department' from generate_series(1, 200) n on conflict do nothing;
            insert into people(id, name, unit_code, email, is_unit_contact)
            select gen_random_uuid(), '联络员 ' || u.code, u.code, u.code || '@example.cn', true from units u
            where not exists (select 1 from people p where p.unit_code = u.code);
            insert into campaigns(id, title, issued_by_unit, supervision_unit, workflow_id, workflow_version, phases, created_at)
            values (@campaign, '基准测试', 'lgo', 'dcs', 'rectification-campaign', 1, '[]', @now);
            insert into items(id, campaign_id, seq, number, title, lead_unit, units, deadline, effective_deadline, state, created_at, updated_at)
            select gen_random_uuid(), @campaign, n, n::text, '问题 ' || n, 'u' || (n % 200 + 1),
                   array['u' || (n % 200 + 1), 'u' || ((n + 7) % 200 + 1), 'u' || ((n + 13) % 200 + 1)],
                   (@now at time zone 'Asia/Shanghai')::date + 20 + n % 60, (@now at time zone 'Asia/Shanghai')::date + 20 + n % 60, 'draft', @now, @now
            from generate_series(1, @items) n;
            analyze;
            """, new { campaign, now, items }, commandTimeout: 600);
        return campaign;
    }
}
