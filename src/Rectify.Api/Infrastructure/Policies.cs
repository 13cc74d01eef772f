using Rectify.Workflows.Domain;

namespace Rectify.Api.Infrastructure;

public static class Policies
{
    public const string Admin = "admin";
    /// <summary>Units, people, campaigns: the administrator and the leading-group office.</summary>
    public const string ManageOrganisation = "manageOrganisation";

    public static IServiceCollection AddRectifyPolicies(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(ManageOrganisation, p => p.RequireRole(Roles.Admin, Roles.LeadingGroup));
        return services;
    }
}
