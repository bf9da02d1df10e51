using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth;

/// <summary>An issued client access as the operator's list shows it.</summary>
public sealed record ClientAccessRow(ApiToken Token, SignInLink? Link)
{
    public string Tenant => Token.Tenants;
    public IReadOnlyList<string> Consumers => Token.Consumers.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public string Status(long nowMs) => Token.RevokedAtMs is not null ? "revoked" : Token.ExpiresAtMs <= nowMs ? "expired" : "active";

    public string LinkStatus(long nowMs) => Link switch
    {
        null => "none",
        { RevokedAtMs: not null } => "revoked",
        { UsedAtMs: not null } => "used",
        _ when Link.ExpiresAtMs <= nowMs => "expired",
        _ => "unused",
    };
}

/// <summary>What an operator just issued: shown once, then only hashes remain.</summary>
public sealed record IssuedAccess(ApiToken Token, string Secret, string LinkCode, long LinkExpiresAtMs);

/// <summary>
/// Operators issue end clients their own access (a client token for chosen consumers of one
/// tenant, with a one-time sign-in link), list it with last use, and revoke it. Every issue and
/// revocation is an <c>admin_action</c> security event of the tenant.
/// </summary>
public sealed class ClientAccess(IDbContextFactory<AuditDbContext> factory, TokenService tokens, SignInLinks links,
    AdminActions actions, TimeProvider clock)
{
    public async Task<IssuedAccess> IssueAsync(Caller issuer, string tenantId, IReadOnlyList<string> consumers, string name,
        TimeSpan? expiresIn, TimeSpan linkValidFor, CancellationToken ct = default)
    {
        if (!issuer.IsOperatorOf(tenantId))
            throw new UnauthorizedAccessException("Only an operator of the tenant may issue client access.");
        var (token, secret) = await tokens.CreateAsync(new TokenRequest(Roles.Client, [tenantId], consumers, name, expiresIn), ct);
        var (_, code) = await links.IssueAsync(token.Id, linkValidFor, ct);
        var linkExpires = clock.GetUtcNow().Add(linkValidFor).ToUnixTimeMilliseconds();
        await actions.RecordAsync(tenantId, issuer.Name, $"client_access:{token.Id}", new
        {
            action = "client_access_issued",
            token_id = token.Id,
            name = token.Name,
            consumers,
            expires = token.ExpiresAtMs is { } e ? AuditTime.Print(e) : null,
            link_expires = AuditTime.Print(linkExpires),
        });
        return new IssuedAccess(token, secret, code, linkExpires);
    }

    /// <summary>Client accesses of the tenants the caller may read, newest first, each with its latest link.</summary>
    public async Task<List<ClientAccessRow>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var clients = await db.Tokens.AsNoTracking().Where(t => t.Role == Roles.Client).OrderByDescending(t => t.CreatedAtMs).ToListAsync(ct);
        clients = clients.Where(t => caller.IsOperatorOf(t.Tenants)).ToList();
        var ids = clients.Select(t => t.Id).ToList();
        var latestLinks = (await db.SignInLinks.AsNoTracking().Where(l => ids.Contains(l.TokenId)).ToListAsync(ct))
            .GroupBy(l => l.TokenId).ToDictionary(g => g.Key, g => g.MaxBy(l => l.CreatedAtMs));
        return clients.Select(t => new ClientAccessRow(t, latestLinks.GetValueOrDefault(t.Id))).ToList();
    }

    public async Task<bool> RevokeAsync(Caller caller, string tokenId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var token = await db.Tokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.Role == Roles.Client, ct);
        if (token is null || !caller.IsOperatorOf(token.Tenants)) return false;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        token.RevokedAtMs ??= now;
        await db.SignInLinks.Where(l => l.TokenId == tokenId && l.RevokedAtMs == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAtMs, now), ct);
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(token.Tenants, caller.Name, $"client_access:{token.Id}",
            new { action = "client_access_revoked", token_id = token.Id, name = token.Name });
        return true;
    }
}
