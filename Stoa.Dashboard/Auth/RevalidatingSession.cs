using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Stoa.Dashboard.Auth;

/// <summary>
/// Keeps an open dashboard tab honest: every few seconds the circuit's user is checked again, so a
/// revoked or expired token's pages stop within seconds (they go back to sign-in), as the hub's
/// connections do, instead of streaming on until the tab is closed.
/// </summary>
public sealed class RevalidatingSession(ILoggerFactory loggerFactory, TokenService tokens)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override TimeSpan RevalidationInterval => Interval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        // A Stoa token: as the store says now. An Entra session lives as long as its cookie (grants apply at the next page load).
        return state.User.FindFirstValue(StoaClaims.TokenId) is not { } tokenId || await tokens.FindActiveAsync(tokenId, ct) is not null;
    }
}
