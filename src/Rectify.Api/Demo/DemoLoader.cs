using System.Text.Json;
using Dapper;
using Npgsql;
using Rectify.Api.Features.Auth;
using Rectify.Api.Features.Items;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Demo;

/// <summary>
/// Loads the demo campaign (modelled on the Longchuan 2018 rectification plan, seed 001) once, its dates counted in
/// working days from the day it is first loaded (<see cref="DemoDays"/>): on any day a newcomer sees a live campaign.
/// People, e-mail addresses and phone numbers are invented.
/// </summary>
public sealed class DemoLoader(NpgsqlDataSource db, TimeProvider clock, WorkingCalendar calendar, DemoHistory history, ILogger<DemoLoader> logger)
{
    private const string MarkerKey = "demo.loaded";

    public sealed record DemoFile(DemoCampaign Campaign, List<DemoUnit> Units, List<DemoPerson> People, List<DemoUser> Users, List<DemoItem> Items);
    /// <param name="NoticeWorkingDay">The notice date, in working days from the first start (negative: before it).</param>
    public sealed record DemoCampaign(string Title, string DocumentNumber, string IssuedByUnit, string SupervisionUnit, int NoticeWorkingDay, List<DemoPhase> Phases);
    public sealed record DemoPhase(string Key, int StartWorkingDay, int EndWorkingDay);
    public sealed record DemoUnit(string Code, string Name, string Kind, string? ParentCode);
    public sealed record DemoPerson(string Key, string Name, string? Title, string UnitCode, string? Email, string? Mobile, bool IsUnitContact);
    public sealed record DemoUser(string UserName, string Role, string? UnitCode, string? PersonKey);
    public sealed record DemoItem(string Number, string? Category, string Title, string? Description, string? Measures, string? Target,
        string? ResponsibleLeaderKey, string LeadUnit, List<string> Units, int? DueWorkingDay, bool Ongoing, string? ReportEvery);

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
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        const string claim = "insert into app_settings(key, value) values (@MarkerKey, @value) on conflict (key) do nothing";
        if (await connection.ExecuteAsync(new CommandDefinition(claim, new { MarkerKey, value = now.ToString("O") }, tx, cancellationToken: ct)) == 0)
            return null;
        var days = new DemoDays(await calendar.GetAsync(connection, ct, tx), LocalTime.Date(now, LocalTime.Zone("Asia/Shanghai")));
        var year = days.At(demo.Campaign.Phases.First().StartWorkingDay).Year;

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
        var phases = demo.Campaign.Phases.Select(p => new { key = p.Key, start = days.At(p.StartWorkingDay), end = days.At(p.EndWorkingDay) });
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into campaigns(id, title, document_number, issued_by_unit, supervision_unit, time_zone, workflow_id, workflow_version, notice_date, phases, created_at)
            values (@campaignId, @title, @documentNumber, @IssuedByUnit, @SupervisionUnit, 'Asia/Shanghai', 'rectification-campaign',
                    (select max(version) from workflow_definitions where id = 'rectification-campaign'), @notice, @phases::jsonb, @now)
            """, new
        {
            campaignId, title = demo.Campaign.Title, documentNumber = demo.Campaign.DocumentNumber.Replace("{year}", year.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            demo.Campaign.IssuedByUnit, demo.Campaign.SupervisionUnit, notice = days.At(demo.Campaign.NoticeWorkingDay),
            phases = JsonSerializer.Serialize(phases), now,
        }, tx, cancellationToken: ct));

        var items = demo.Items.Select(i => new ValidItem(
            i.Number, i.Category, i.Title, i.Description, i.Measures, i.Target,
            i.ResponsibleLeaderKey is null ? null : people[i.ResponsibleLeaderKey],
            i.LeadUnit, i.Units.Distinct().ToArray(), i.DueWorkingDay is { } due ? days.At(due) : null, i.Ongoing,
            i.Ongoing ? i.ReportEvery ?? "P1M" : null, false)).ToList();
        await ItemWriter.InsertAsync(connection, tx, campaignId, items, now, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Loaded the demo campaign {CampaignId} with {Items} items", campaignId, items.Count);
        await history.ReplayAsync(campaignId, days, days.At(demo.Campaign.Phases.First().StartWorkingDay), ct);
        return campaignId;
    }
}
