using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth;

/// <summary>One-time sign-in links: a code that signs its holder in as a token, once, before it expires.</summary>
public sealed class SignInLinks(IDbContextFactory<AuditDbContext> factory, TimeProvider clock)
{
    public const string Path = "/signin/link";

    /// <summary>Issues a link for a token; returns the link's id and the code (shown once).</summary>
    public async Task<(string Id, string Code)> IssueAsync(string tokenId, TimeSpan validFor, CancellationToken ct = default)
    {
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var link = new SignInLink
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            CodeHash = TokenService.Hash(code),
            TokenId = tokenId,
            CreatedAtMs = now,
            ExpiresAtMs = now + (long)validFor.TotalMilliseconds,
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        db.SignInLinks.Add(link);
        await db.SaveChangesAsync(ct);
        return (link.Id, code);
    }

    /// <summary>Uses a code: the token it signs in as, or null when unknown, used, revoked or expired.</summary>
    public async Task<ApiToken?> RedeemAsync(string code, CancellationToken ct = default)
    {
        var hash = TokenService.Hash(code);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await factory.CreateDbContextAsync(ct);
        // One UPDATE marks it used only if it was still usable, so two clicks cannot both sign in.
        var claimed = await db.SignInLinks
            .Where(l => l.CodeHash == hash && l.UsedAtMs == null && l.RevokedAtMs == null && l.ExpiresAtMs > now)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAtMs, now), ct);
        if (claimed == 0) return null;
        var tokenId = await db.SignInLinks.Where(l => l.CodeHash == hash).Select(l => l.TokenId).SingleAsync(ct);
        var token = await db.Tokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tokenId, ct);
        return token is not null && TokenService.IsActive(token, now) ? token : null;
    }
}
