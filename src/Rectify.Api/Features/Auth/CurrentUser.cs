using System.Security.Claims;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Features.Auth;

/// <summary>Who is calling, read from the authenticated principal.</summary>
public sealed record CurrentUser(Guid Id, string UserName, string Role, string? UnitCode, Guid? PersonId)
{
    public const string UnitClaim = "rectify:unit";
    public const string PersonClaim = "rectify:person";
    /// <summary>The session row's id (auth_tokens.id), for logging out and for the administrator's list.</summary>
    public const string SessionIdClaim = "rectify:sid";
    /// <summary>The browser session's secret token; lives only inside the encrypted cookie.</summary>
    public const string SessionTokenClaim = "rectify:session";

    public bool IsAdmin => Role == Roles.Admin;
    public bool IsLeadingGroup => Role == Roles.LeadingGroup;
    public bool IsUnit => Role == Roles.Unit;
    public bool IsSupervisor => Role == Roles.Supervisor;

    public static CurrentUser From(ClaimsPrincipal principal)
    {
        var id = Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var person = principal.FindFirstValue(PersonClaim);
        return new CurrentUser(
            id,
            principal.FindFirstValue(ClaimTypes.Name)!,
            principal.FindFirstValue(ClaimTypes.Role)!,
            principal.FindFirstValue(UnitClaim),
            person is null ? null : Guid.Parse(person));
    }

    public static ClaimsIdentity ToIdentity(UserRow user, Guid sessionId, string scheme)
    {
        var identity = ToIdentity(user.Id, user.UserName, user.Role, user.UnitCode, user.PersonId, scheme);
        identity.AddClaim(new Claim(SessionIdClaim, sessionId.ToString()));
        return identity;
    }

    public static ClaimsIdentity ToIdentity(Guid id, string userName, string role, string? unitCode, Guid? personId, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, id.ToString()),
            new(ClaimTypes.Name, userName),
            new(ClaimTypes.Role, role),
        };
        if (unitCode is not null) claims.Add(new Claim(UnitClaim, unitCode));
        if (personId is not null) claims.Add(new Claim(PersonClaim, personId.Value.ToString()));
        return new ClaimsIdentity(claims, scheme);
    }
}

/// <summary>Lets handlers take <see cref="CurrentUser"/> as a parameter.</summary>
public static class CurrentUserBinding
{
    public static CurrentUser Of(HttpContext context) => CurrentUser.From(context.User);
}
