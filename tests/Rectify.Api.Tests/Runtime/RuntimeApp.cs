using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Runtime;

/// <summary>The service with the controllable clock on (Rectify__Clock__Controllable=true).</summary>
public class RuntimeApp : RectifyApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rectify:Clock:Controllable"] = "true",
        // These tests assert what the runtime enqueues (due times, keys); the dispatcher would lease the rows away meanwhile.
        ["Rectify:Notifications:Enabled"] = "false",
    };

    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static DateTimeOffset Local(int year, int month, int day, int hour = 9, int minute = 0) => new(year, month, day, hour, minute, 0, China);

    public async Task<T> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return (await Dapper.SqlMapper.ExecuteScalarAsync<T>(connection, sql, args))!;
    }

    public async Task<List<T>> RowsAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return (await Dapper.SqlMapper.QueryAsync<T>(connection, sql, args)).ToList();
    }
}

/// <summary>
/// An organisation for runtime tests, built through the API: a leading-group office (lgo), a supervision office (dcs),
/// two units (ua, ub) each with one contact that has an e-mail, a responsible leader, and one user per office and unit.
/// </summary>
public sealed record Org(HttpClient Admin, HttpClient Lgo, HttpClient Dcs, HttpClient UnitA, HttpClient UnitB, Guid Leader,
    Guid ContactA, Guid ContactB, Guid ContactLgo, Guid ContactDcs, string Prefix)
{
    public const string Password = "Passw0rd!x";

    public string LgoCode => $"{Prefix}lgo";
    public string DcsCode => $"{Prefix}dcs";
    public string UnitACode => $"{Prefix}ua";
    public string UnitBCode => $"{Prefix}ub";

    public static async Task<Org> CreateAsync(RectifyApp app, string prefix)
    {
        var admin = await app.AdminAsync();
        var org = new OrgBuilder(admin);
        Task Unit(string code, string name, string kind) => org.UnitAsync(prefix + code, name, kind);
        await Unit("lgo", "县整改领导小组办公室", "leadingGroup");
        await Unit("dcs", "县委督查室", "supervisionOffice");
        await Unit("ua", "县测试局", "department");
        await Unit("ub", "测试镇", "township");
        Task<Guid> Person(string name, string unit, bool contact, string? email) => org.PersonAsync(name, prefix + unit, email, contact);
        var contactLgo = await Person("王办公", "lgo", true, $"{prefix}lgo@example.cn");
        var contactDcs = await Person("李督查", "dcs", true, $"{prefix}dcs@example.cn");
        var contactA = await Person("张联络", "ua", true, $"{prefix}ua@example.cn");
        var contactB = await Person("赵联络", "ub", true, null);
        var leader = await Person("陈副县长", "lgo", false, $"{prefix}leader@example.cn");
        async Task<HttpClient> User(string name, string role, string unit)
        {
            await org.UserAsync(prefix + name, role, prefix + unit, Password);
            return await app.ClientAsAsync(prefix + name, Password);
        }
        return new Org(admin, await User("lg", "leadingGroup", "lgo"), await User("sup", "supervisor", "dcs"),
            await User("ua", "unit", "ua"), await User("ub", "unit", "ub"), leader, contactA, contactB, contactLgo, contactDcs, prefix);
    }

    /// <summary>A draft campaign of this organisation's office with the given items; returns the campaign and item ids.</summary>
    public async Task<(Guid Campaign, List<Guid> Items)> CampaignAsync(IEnumerable<object> items, string title = "测试整改", object[]? phases = null, object? workflow = null)
    {
        var created = await (await Lgo.PostAsJsonAsync("/api/campaigns", new
        {
            title, issuedByUnit = LgoCode, supervisionUnit = DcsCode, timeZone = "Asia/Shanghai",
            workflow = workflow ?? new { id = "rectification-campaign" }, phases = phases ?? [],
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var campaign = created.GetProperty("id").GetGuid();
        var ids = new List<Guid>();
        foreach (var item in items)
        {
            var response = await Lgo.PostAsJsonAsync($"/api/campaigns/{campaign}/items", item);
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }
        return (campaign, ids);
    }

    public object Item(string title, string? deadline, bool ongoing = false, bool hard = false, bool withB = true) => new
    {
        title, leadUnit = UnitACode, units = withB ? new[] { UnitACode, UnitBCode } : [UnitACode], deadline, ongoing,
        responsibleLeaderId = Leader, hardDeadline = hard,
    };

    public async Task SetClockAsync(DateTimeOffset now) =>
        (await Admin.PostAsJsonAsync("/api/admin/clock", new { now })).EnsureSuccessStatusCode();
}

public static class JsonExtensions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? "" : e.GetProperty(name).ToString();
}
