using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rectify.Api.Tests.Runtime;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Security;

/// <summary>
/// Two counties on one service. 甲县: office <c>m-alg</c> issued campaign A, supervised by <c>m-adc</c>; its items are led
/// by <c>m-fp</c> (the unit user's own unit) and <c>m-cz</c> (another unit). 乙县: office <c>m-blg</c>, supervision office
/// <c>m-bdc</c>, campaign B with an item led by <c>m-jt</c>. Both campaigns are launched and run past their deadline on
/// the controllable clock, so every kind of record exists in each place: items, deliverables, attachments, outbox rows,
/// escalations with a supervision letter, talks.
/// </summary>
public sealed class AccessMatrixWorld : RuntimeApp
{
    public const string Password = "Passw0rd!x";

    /// <summary>The ids a matrix column points at, by placeholder name.</summary>
    public Dictionary<string, string> OwnUnit { get; } = new();
    public Dictionary<string, string> OtherUnit { get; } = new();
    public Dictionary<string, string> OtherCampaign { get; } = new();
    public Dictionary<string, HttpClient> Clients { get; } = new();
    public HttpClient Anonymous { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var admin = await AdminAsync();
        (await admin.PostAsJsonAsync("/api/admin/clock", new { now = Local(2026, 5, 11, 9) })).EnsureSuccessStatusCode();
        var org = new OrgBuilder(admin);
        Task Unit(string code, string name, string kind) => org.UnitAsync(code, name, kind);
        Task<Guid> Person(string name, string unit) => org.PersonAsync(name, unit, $"{unit}@example.cn");
        Task User(string name, string role, string unit, Guid? personId = null) => org.UserAsync(name, role, unit, Password, personId);

        await Unit("m-alg", "甲县整改办", "leadingGroup");
        await Unit("m-adc", "甲县督查室", "supervisionOffice");
        await Unit("m-blg", "乙县整改办", "leadingGroup");
        await Unit("m-bdc", "乙县督查室", "supervisionOffice");
        await Unit("m-fp", "甲县扶贫办", "department");
        await Unit("m-cz", "甲县财政局", "department");
        await Unit("m-jt", "乙县交通局", "department");
        var fpPerson = await Person("扶贫办联络员", "m-fp");
        var czPerson = await Person("财政局联络员", "m-cz");
        var jtPerson = await Person("交通局联络员", "m-jt");
        await Person("甲县督查员", "m-adc");
        await Person("乙县督查员", "m-bdc");
        await Person("甲县办公室", "m-alg");
        await Person("乙县办公室", "m-blg");
        await User("m-lg", "leadingGroup", "m-alg");
        await User("m-sup", "supervisor", "m-adc");
        await User("m-unit", "unit", "m-fp", fpPerson);

        async Task<(Guid Campaign, Guid Item)> Campaign(string office, string supervision, string title, string leadUnit)
        {
            var campaign = (await (await admin.PostAsJsonAsync("/api/campaigns", new
            {
                title, documentNumber = "测〔2026〕1号", issuedByUnit = office, supervisionUnit = supervision, timeZone = "Asia/Shanghai",
                workflow = new { id = "rectification-campaign" },
                phases = new[] { new { key = "plan", start = "2026-05-11", end = "2026-05-15" }, new { key = "rectify", start = "2026-05-18", end = "2026-06-10" } },
            })).ShouldHaveStatusAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
            var item = (await (await admin.PostAsJsonAsync($"/api/campaigns/{campaign}/items", new
            {
                title = $"{title}：{leadUnit} 牵头的问题", leadUnit, units = new[] { leadUnit }, deadline = "2026-06-10", ongoing = false,
            })).ShouldHaveStatusAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
            return (campaign, item);
        }
        var (campaignA, itemFp) = await Campaign("m-alg", "m-adc", "甲县整改", "m-fp");
        var itemCz = (await (await admin.PostAsJsonAsync($"/api/campaigns/{campaignA}/items", new
        {
            title = "甲县整改：m-cz 牵头的问题", leadUnit = "m-cz", units = new[] { "m-cz" }, deadline = "2026-06-10", ongoing = false,
        })).ShouldHaveStatusAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var (campaignB, itemJt) = await Campaign("m-blg", "m-bdc", "乙县整改", "m-jt");
        (await admin.PostAsync($"/api/campaigns/{campaignA}/launch", null)).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/campaigns/{campaignB}/launch", null)).EnsureSuccessStatusCode();

        // One evidence file on each item, then past the deadline into the supervision-letter step (10 June + 3 working days).
        async Task<string> Attach(Guid item)
        {
            var png = new MultipartFormDataContent { { new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2]), "file", "现场.png" } };
            var body = await (await admin.PostAsync($"/api/items/{item}/attachments", png)).ShouldHaveStatusAsync(HttpStatusCode.OK);
            return (body.ValueKind == JsonValueKind.Array ? body[0] : body).GetProperty("id").ToString();
        }
        var attachments = new[] { await Attach(itemFp), await Attach(itemCz), await Attach(itemJt) };
        (await admin.PostAsJsonAsync("/api/admin/clock", new { now = Local(2026, 6, 17, 10) })).EnsureSuccessStatusCode();

        async Task<string> One(string sql, object args) => (await QueryAsync<object>(sql, args))?.ToString()
            ?? throw new InvalidOperationException($"the matrix world lacks a row for: {sql}");
        var items = new[] { itemFp, itemCz, itemJt };
        var units = new[] { "m-fp", "m-cz", "m-jt" };
        var people = new[] { fpPerson, czPerson, jtPerson };
        var columns = new[] { OwnUnit, OtherUnit, OtherCampaign };
        for (var i = 0; i < 3; i++)
        {
            var column = columns[i];
            column["item"] = items[i].ToString();
            column["campaign"] = (i < 2 ? campaignA : campaignB).ToString();
            column["unit"] = units[i];
            column["person"] = people[i].ToString();
            column["attachment"] = attachments[i];
            column["deliverable"] = await One("select id from deliverables where unit_code = @unit order by kind limit 1", new { unit = units[i] });
            column["escalation"] = await One("select id from escalations where item_id = @item and level = 'supervisionLetter'", new { item = items[i] });
            column["notification"] = await One("select id from outbox where item_id = @item order by id limit 1", new { item = items[i] });
        }
        // A talk on each item, recorded by the administrator.
        foreach (var item in items)
        {
            var talk = new { heldOn = "2026-06-17", people = "县领导、牵头单位负责人", note = "约谈记录" };
            await (await admin.PostAsJsonAsync($"/api/items/{item}/talks", talk)).ShouldHaveStatusAsync(HttpStatusCode.Created);
        }

        Clients["admin"] = admin;
        Clients["leadingGroup"] = await ClientAsAsync("m-lg", Password);
        Clients["supervisor"] = await ClientAsAsync("m-sup", Password);
        Clients["unit"] = await ClientAsAsync("m-unit", Password);
        Anonymous = CreateClient();
    }
}
