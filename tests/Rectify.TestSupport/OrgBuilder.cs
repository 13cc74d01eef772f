using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Rectify.TestSupport;

/// <summary>A person to write straight into <c>people</c>: whether it is its unit's contact is always said.</summary>
public sealed record PersonRow(string Name, string UnitCode, bool IsContact)
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string? Email { get; init; }
    public string? Mobile { get; init; }
    public string? Title { get; init; }
    public string? Wecom { get; init; }
    public string? Dingtalk { get; init; }
    public string? DingtalkSecret { get; init; }
    public string? Feishu { get; init; }
    public string? FeishuSecret { get; init; }
    public string? WebhookUrl { get; init; }
    public string? WebhookSecret { get; init; }
}

/// <summary>
/// The one organisation builder of the tests: units, people (contacts and their notification routes) and accounts.
/// Built with an admin client it goes through the API, as an office would; built with a data source (tests without a
/// host) it writes the rows straight into the tables. Accounts and campaigns need the API.
/// </summary>
public sealed class OrgBuilder
{
    private readonly HttpClient? admin;
    private readonly NpgsqlDataSource? db;

    public OrgBuilder(HttpClient admin) => this.admin = admin;

    public OrgBuilder(NpgsqlDataSource db) => this.db = db;

    private HttpClient Admin =>
        admin ?? throw new InvalidOperationException(
            "accounts and campaigns are made through the API: build the OrgBuilder with an admin client");

    /// <summary>A unit. Written as rows, a unit that already exists is left as it is.</summary>
    public async Task<string> UnitAsync(string code, string name, string kind = "department", string? parentCode = null)
    {
        if (admin is not null)
        {
            (await admin.PostJsonAsync("/api/units", new { code, name, kind, parentCode })).EnsureSuccessStatusCode();
            return code;
        }
        await using var c = await db!.OpenConnectionAsync();
        await c.ExecuteAsync(
            "insert into units(code, name, kind, parent_code) values (@code, @name, @kind, @parentCode) on conflict (code) do nothing",
            new { code, name, kind, parentCode });
        return code;
    }

    /// <summary>A person (by default the unit's contact) with an optional e-mail.</summary>
    public Task<Guid> PersonAsync(string name, string unitCode, string? email = null, bool contact = true) =>
        PersonAsync(new PersonRow(name, unitCode, contact) { Email = email });

    /// <summary>
    /// A person with any of its routes. Through the API only name, unit, e-mail and contact are sent, so a row that sets
    /// more is refused there rather than built partly.
    /// </summary>
    public async Task<Guid> PersonAsync(PersonRow p)
    {
        if (admin is not null)
        {
            if ((p.Mobile ?? p.Title ?? p.Wecom ?? p.Dingtalk ?? p.DingtalkSecret ?? p.Feishu ?? p.FeishuSecret
                 ?? p.WebhookUrl ?? p.WebhookSecret) is not null)
                throw new InvalidOperationException("through the API the builder sends only name, unit, e-mail and contact");
            var person = new { name = p.Name, unitCode = p.UnitCode, email = p.Email, isUnitContact = p.IsContact };
            var body = await (await admin.PostJsonAsync("/api/people", person))
                .ShouldHaveStatusAsync(HttpStatusCode.Created);
            return body.GetProperty("id").GetGuid();
        }
        await using var c = await db!.OpenConnectionAsync();
        await c.ExecuteAsync("""
            insert into people(id, name, title, unit_code, email, mobile, is_unit_contact, wecom_webhook, dingtalk_webhook, dingtalk_secret,
                               feishu_webhook, feishu_secret, webhook_url, webhook_secret)
            values (@Id, @Name, @Title, @UnitCode, @Email, @Mobile, @IsContact, @Wecom, @Dingtalk, @DingtalkSecret, @Feishu, @FeishuSecret,
                    @WebhookUrl, @WebhookSecret)
            """, p);
        return p.Id;
    }

    /// <summary>An account (through the API).</summary>
    public async Task UserAsync(string userName, string role, string? unitCode, string password = "Passw0rd!x", Guid? personId = null)
    {
        (await Admin.PostJsonAsync("/api/users", new { userName, password, role, unitCode, personId })).EnsureSuccessStatusCode();
    }

    /// <summary>A draft campaign of the office (through the API).</summary>
    public async Task<Guid> CampaignAsync(string issuedBy, string? supervision = null, string title = "测试整改工作")
    {
        var body = await (await Admin.PostJsonAsync("/api/campaigns", new
        {
            title,
            documentNumber = "测开组〔2026〕1号",
            issuedByUnit = issuedBy,
            supervisionUnit = supervision,
            noticeDate = "2026-05-09",
            phases = new[]
            {
                new { key = "plan", start = "2026-05-10", end = "2026-05-13" },
                new { key = "rectify", start = "2026-05-14", end = "2026-06-10" },
            },
        })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>An item of a campaign (through the API).</summary>
    public async Task<JsonElement> ItemAsync(
        Guid campaignId, string title, string leadUnit, string[]? units = null, string? deadline = "2026-06-10", bool ongoing = false)
    {
        var item = new { title, leadUnit, units = units ?? [], deadline, ongoing };
        return await (await Admin.PostJsonAsync($"/api/campaigns/{campaignId}/items", item))
            .ShouldHaveStatusAsync(HttpStatusCode.Created);
    }
}
