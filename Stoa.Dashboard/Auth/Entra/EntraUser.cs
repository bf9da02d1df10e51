using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Stoa.Dashboard.Auth.Entra;

/// <summary>
/// A user as Microsoft Entra ID describes them (an id token or an access token), and the Stoa role
/// their app roles give: <c>Stoa.Operator</c> or <c>Stoa.Client</c>, nothing else.
/// </summary>
public sealed record EntraUser(string ObjectId, string? Email, string? DisplayName, string? Role, string? DirectoryId = null)
{
    /// <summary>
    /// Who the user is for good: the Entra tenant (directory) id and the object id together, as
    /// Microsoft advises (an object id is unique within its directory); the object id alone when the
    /// token names no directory.
    /// </summary>
    public string Identity => (DirectoryId is { } tid ? $"{tid}/{ObjectId}" : ObjectId).ToLowerInvariant();

    public const string OperatorAppRole = "Stoa.Operator";
    public const string ClientAppRole = "Stoa.Client";

    // Entra's claim names, as sent and as ASP.NET maps them on the way in.
    private static readonly string[] ObjectIdClaims = ["oid", "http://schemas.microsoft.com/identity/claims/objectidentifier"];
    private static readonly string[] DirectoryIdClaims = ["tid", "http://schemas.microsoft.com/identity/claims/tenantid"];
    private static readonly string[] EmailClaims = ["preferred_username", "email", ClaimTypes.Email, ClaimTypes.Upn, "upn"];
    private static readonly string[] RoleClaims = ["roles", ClaimTypes.Role];

    /// <summary>Null for anyone who did not come from Entra (a Stoa token, or a principal already mapped).</summary>
    public static EntraUser? From(ClaimsPrincipal principal)
    {
        if (principal.HasClaim(c => c.Type == StoaClaims.TokenId)) return null;
        var objectId = ObjectIdClaims.Select(principal.FindFirstValue).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        if (objectId is null) return null;
        var roles = RoleClaims.SelectMany(type => principal.FindAll(type)).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var role = roles.Contains(OperatorAppRole) ? Roles.Operator : roles.Contains(ClientAppRole) ? Roles.Client : null;
        var email = EmailClaims.Select(principal.FindFirstValue).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        var directoryId = DirectoryIdClaims.Select(principal.FindFirstValue).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return new EntraUser(objectId, email, principal.FindFirstValue("name"), role, directoryId);
    }
}

/// <summary>
/// Turns an Entra principal into a Stoa one on every request: the role from the app roles, the
/// tenants and consumers from the grants (so a grant changed by an operator applies at once), and
/// nothing of Entra's own claims that the rest of the app could mistake for Stoa's.
/// </summary>
public sealed class EntraClaimsTransformation(EntraGrants grants) : IClaimsTransformation
{
    // One instance per request (the authentication service that calls it is scoped), which asks for
    // the same session's principal once per scheme that forwards to it: the grants are read once.
    private (ClaimsPrincipal Entra, ClaimsPrincipal Stoa)? _last;

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (_last is { } last && ReferenceEquals(last.Entra, principal)) return last.Stoa;
        if (EntraUser.From(principal) is not { } user) return principal;
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, user.Email ?? user.ObjectId),
            new(ClaimTypes.Role, user.Role ?? ""),
            new(StoaClaims.EntraObjectId, user.ObjectId),
        };
        if (user.Email is not null) claims.Add(new Claim(StoaClaims.EntraEmail, user.Email));
        if (principal.FindFirstValue("exp") is { } expires) claims.Add(new Claim(StoaClaims.ExpiresAt, expires));
        if (user.Role is not null)
            foreach (var grant in await grants.ForUserAsync(user))
            {
                claims.Add(new Claim(StoaClaims.Tenant, grant.TenantId));
                claims.AddRange(grant.Consumers.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(consumer => new Claim(StoaClaims.ConsumerIn, $"{grant.TenantId} {consumer}")));
            }
        var stoa = new ClaimsPrincipal(new ClaimsIdentity(claims, principal.Identity?.AuthenticationType ?? "Entra", ClaimTypes.Name, ClaimTypes.Role));
        _last = (principal, stoa);
        return stoa;
    }
}
