using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;

namespace Rectify.Api.Demo;

/// <summary>
/// Loads the demo campaign (modelled on the Longchuan 2018 rectification plan, seed 001) once, moved into the
/// current year of the campaign's time zone. People, e-mail addresses and phone numbers are invented.
/// </summary>
public sealed class DemoLoader(NpgsqlDataSource db, TimeProvider clock, DemoHistory history, ILogger<DemoLoader> logger)
{
    private const string MarkerKey = "demo.loaded";

    public sealed record DemoFile(DemoCampaign Campaign, List<DemoUnit> Units, List<DemoPerson> People, List<DemoUser> Users, List<DemoItem> Items);
    public sealed record DemoCampaign(string Title, string DocumentNumber, string IssuedByUnit, string SupervisionUnit, string NoticeDate, List<DemoPhase> Phases);
    public sealed record DemoPhase(string Key, string Start, string End);
    public sealed record DemoUnit(string Code, string Name, string Kind, string? ParentCode);
    public sealed record DemoPerson(string Key, string Name, string? Title, string UnitCode, string? Email, string? Mobile, bool IsUnitContact);
    public sealed record DemoUser(string UserName, string Role, string? UnitCode, string? PersonKey);
    public sealed record DemoItem(string Number, string? Category, string Title, string? Description, string? Measures, string? Target,
        string? ResponsibleLeaderKey, string LeadUnit, List<string> Units, string? Deadline, bool Ongoing, string? ReportEvery);

    public static DemoFile Read()
    {
        using var stream = typeof(DemoLoader).Assembly.GetManifestResourceStream("Rectify.Api.Demo.demo-campaign.json")
            ?? throw new InvalidOperationException("demo-campaign.json is not embedded");
        return JsonSerializer.Deserialize<DemoFile>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    /// <summary>Loads the demo unless it was loaded before (a marker row), so restarts never duplicate it. Returns the campaign id, or null when already there.</summary>
    public async Task<Guid?> LoadOnceAsync(string password, CancellationToken ct)
    {
        var demo = Read();
        var now = clock.GetUtcNow();
        var year = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).Year;
        DateOnly Date(string monthDay) => DateOnly.ParseExact($"{year}-{monthDay}", "yyyy-MM-dd");

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string claim = "insert into app_settings(key, value) values (@MarkerKey, @value) on conflict (key) do nothing";
        if (await connection.ExecuteAsync(new CommandDefinition(claim, new { MarkerKey, value = now.ToString("O") }, tx, cancellationToken: ct)) == 0)
            return null;

        // Parents first: a village's township must exist before the village.
        foreach (var unit in demo.Units.OrderBy(u => u.ParentCode is null ? 0 : 1))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into units(code, name, kind, parent_code) values (@Code, @Name, @Kind, @ParentCode) on conflict (code) do nothing",
                unit, tx, cancellationToken: ct));
        }
        var people = new Dictionary<string, Guid>();
        foreach (var p in demo.People)
        {
            var id = Guid.CreateVersion7(now);
            people[p.Key] = id;
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into people(id, name, title, unit_code, email, mobile, is_unit_contact)
                values (@id, @Name, @Title, @UnitCode, @Email, @Mobile, @IsUnitContact)
                """, new { id, p.Name, p.Title, p.UnitCode, p.Email, p.Mobile, p.IsUnitContact }, tx, cancellationToken: ct));
        }
        var hash = Passwords.Hash(password);
        foreach (var u in demo.Users)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into users(id, user_name, password_hash, role, unit_code, person_id)
                values (@id, @UserName, @hash, @Role, @UnitCode, @personId) on conflict do nothing
                """, new { id = Guid.CreateVersion7(now), u.UserName, hash, u.Role, u.UnitCode, personId = u.PersonKey is null ? (Guid?)null : people[u.PersonKey] },
                tx, cancellationToken: ct));
        }

        var campaignId = Guid.CreateVersion7(now);
        var phases = demo.Campaign.Phases.Select(p => new { key = p.Key, start = Date(p.Start), end = Date(p.End) });
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into campaigns(id, title, document_number, issued_by_unit, supervision_unit, time_zone, workflow_id, workflow_version, notice_date, phases, created_at)
            values (@campaignId, @title, @documentNumber, @IssuedByUnit, @SupervisionUnit, 'Asia/Shanghai', 'rectification-campaign',
                    (select max(version) from workflow_definitions where id = 'rectification-campaign'), @notice, @phases::jsonb, @now)
            """, new
        {
            campaignId, title = demo.Campaign.Title, documentNumber = demo.Campaign.DocumentNumber.Replace("{year}", year.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            demo.Campaign.IssuedByUnit, demo.Campaign.SupervisionUnit, notice = Date(demo.Campaign.NoticeDate),
            phases = JsonSerializer.Serialize(phases), now,
        }, tx, cancellationToken: ct));

        var items = demo.Items.Select(i => new ValidItem(
            i.Number, i.Category, i.Title, i.Description, i.Measures, i.Target,
            i.ResponsibleLeaderKey is null ? null : people[i.ResponsibleLeaderKey],
            i.LeadUnit, i.Units.Distinct().ToArray(), i.Deadline is null ? null : Date(i.Deadline), i.Ongoing,
            i.Ongoing ? i.ReportEvery ?? "P1M" : null, false)).ToList();
        await ItemWriter.InsertAsync(connection, tx, campaignId, items, now, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Loaded the demo campaign {CampaignId} with {Items} items", campaignId, items.Count);
        var planStart = demo.Campaign.Phases.First().Start;
        await history.ReplayAsync(campaignId, Date(planStart), ct);
        return campaignId;
    }
}
