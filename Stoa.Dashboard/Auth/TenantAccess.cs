using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth;

/// <summary>Turns a caller and a tenant id into the scope it may read, or nothing.</summary>
public sealed class TenantAccess(IDbContextFactory<AuditDbContext> factory)
{
    /// <summary>
    /// The caller's read scope of the tenant; null when it may not read it or the tenant does not
    /// exist (one answer for both, so tenant ids cannot be probed).
    /// </summary>
    public async Task<AuditScope?> ReadScopeAsync(ClaimsPrincipal user, string tenantId, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (!caller.MayRead(tenantId)) return null;
        return await ExistsAsync(tenantId, ct) ? caller.ReadScope(tenantId) : null;
    }

    public async Task<bool> ExistsAsync(string tenantId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Tenants.AnyAsync(t => t.TenantId == tenantId, ct);
    }

    /// <summary>The existing tenants the caller may read, in order.</summary>
    public async Task<List<string>> ReadableTenantsAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var caller = Caller.From(user);
        await using var db = await factory.CreateDbContextAsync(ct);
        var all = await db.Tenants.Select(t => t.TenantId).OrderBy(t => t).ToListAsync(ct);
        return caller.ReadableAmong(all).ToList();
    }
}
