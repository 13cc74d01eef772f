using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Rectify.Api.Security;

/// <summary>
/// ASP.NET's data-protection key ring kept in PostgreSQL (table data_protection_keys, migration 0506), so every node
/// signs and reads sign-in cookies and antiforgery tokens with the same keys. The framework calls this rarely (when it
/// loads or rotates the ring) and synchronously.
/// </summary>
public sealed class DatabaseKeyRepository(NpgsqlDataSource db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.OpenConnection();
        return connection.Query<string>("select xml from data_protection_keys order by id").Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.OpenConnection();
        connection.Execute("insert into data_protection_keys(friendly_name, xml) values (@friendlyName, @xml) on conflict (friendly_name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}

public static class DataProtectionRegistration
{
    public static IServiceCollection AddRectifyDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Rectify");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseKeyRepository(sp.GetRequiredService<NpgsqlDataSource>())));
        return services;
    }
}
