using System.Security.Claims;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth;

/// <summary>The claims of a token, the same whether it came as a bearer header or a sign-in cookie.</summary>
public static class TokenPrincipal
{
    public static ClaimsPrincipal Create(ApiToken token, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, token.Name),
            new(ClaimTypes.Role, token.Role),
            new(StoaClaims.TokenId, token.Id),
        };
        claims.AddRange(token.Tenants.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => new Claim(StoaClaims.Tenant, t)));
        claims.AddRange(token.Consumers.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => new Claim(StoaClaims.Consumer, c)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
