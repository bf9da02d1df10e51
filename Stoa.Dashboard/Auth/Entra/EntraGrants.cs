using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth.Entra;

/// <summary>
/// Which tenants (and, for clients, which consumers) Microsoft Entra users may see, by object id or
/// email. Operators of a tenant manage its grants; every change is an <c>admin_action</c> of the tenant.
/// </summary>
public sealed class EntraGrants(IDbContextFactory<AuditDbContext> factory, AdminActions actions, TimeProvider clock)
{
    /// <summary>
    /// The grants of a signed-in user: those entered with their object id, those bound to them
    /// (directory and object id, <see cref="EntraUser.Identity"/>), and those entered with their email
    /// that no one has signed in with yet, which are bound to them now. Email and preferred_username
    /// can change and be reused; the directory and object id cannot. A grant bound before the
    /// directory was part of the binding (object id alone) is bound to both at the user's next sign-in.
    /// </summary>
    public async Task<List<EntraGrant>> ForUserAsync(EntraUser user, CancellationToken ct = default)
    {
        var oid = user.ObjectId.Trim().ToLowerInvariant();
        var identity = user.Identity;
        var mail = user.Email?.Trim().ToLowerInvariant();
        await using var db = await factory.CreateDbContextAsync(ct);
        var grants = await db.EntraGrants
            .Where(g => g.Subject == oid || g.ObjectId == identity || g.ObjectId == oid
                || (mail != null && g.Subject == mail && g.ObjectId == null))
            .ToListAsync(ct);
        var toBind = grants.Where(g => g.Subject != oid && g.ObjectId != identity).ToList();
        if (toBind.Count > 0)
        {
            foreach (var grant in toBind) grant.ObjectId = identity;
            await db.SaveChangesAsync(ct);
        }
        return grants;
    }

    public async Task<List<EntraGrant>> ForTenantAsync(Caller caller, string tenantId, CancellationToken ct = default)
    {
        if (!caller.IsOperatorOf(tenantId)) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.EntraGrants.AsNoTracking().Where(g => g.TenantId == tenantId).OrderBy(g => g.Subject).ToListAsync(ct);
    }

    /// <summary>Grants (or changes) a user's access to the tenant. Returns a problem to show, or null when done.</summary>
    public async Task<string?> GrantAsync(Caller caller, string tenantId, string subject, IReadOnlyCollection<string> consumers,
        CancellationToken ct = default)
    {
        if (!caller.IsOperatorOf(tenantId)) return "Only an operator of the tenant grants access to it.";
        subject = subject.Trim().ToLowerInvariant();
        if (subject.Length is 0 or > 256 || subject.Contains(' ')) return "Give the user's email or object id.";
        var invalid = consumers.FirstOrDefault(c => !Identifiers.IsValid(c));
        if (invalid is not null) return $"'{invalid}' is not a consumer id.";

        await using var db = await factory.CreateDbContextAsync(ct);
        var grant = await db.EntraGrants.FirstOrDefaultAsync(g => g.Subject == subject && g.TenantId == tenantId, ct);
        if (grant is null)
        {
            grant = new EntraGrant { Subject = subject, TenantId = tenantId, CreatedBy = caller.Name, CreatedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds() };
            db.EntraGrants.Add(grant);
        }
        grant.Consumers = string.Join(' ', consumers.Distinct().Order(StringComparer.Ordinal));
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(tenantId, caller.Name, $"entra_user:{subject}",
            new { action = "entra_access_granted", subject, consumers = grant.Consumers.Split(' ', StringSplitOptions.RemoveEmptyEntries) });
        return null;
    }

    public async Task<bool> RevokeAsync(Caller caller, long grantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var grant = await db.EntraGrants.FirstOrDefaultAsync(g => g.Id == grantId, ct);
        if (grant is null || !caller.IsOperatorOf(grant.TenantId)) return false;
        db.EntraGrants.Remove(grant);
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(grant.TenantId, caller.Name, $"entra_user:{grant.Subject}", new { action = "entra_access_revoked", subject = grant.Subject });
        return true;
    }
}
