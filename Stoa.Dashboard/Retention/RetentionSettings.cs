using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>
/// A tenant's retention policy and legal holds, as operators set them (settings page, API, CLI).
/// Every change is an <c>admin_action</c> security event of the tenant: who, what, and why.
/// </summary>
public sealed class RetentionSettings(IDbContextFactory<AuditDbContext> factory, AdminActions actions, TimeProvider clock, RetentionPolicy defaultPolicy)
{
    /// <summary>The policy of tenants that have not chosen one (<c>Stoa:Retention:Default</c>).</summary>
    public RetentionPolicy DefaultPolicy => defaultPolicy;

    public async Task<RetentionPolicy> PolicyAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var text = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => t.Retention).FirstOrDefaultAsync(ct);
        return PolicyOf(text);
    }

    public RetentionPolicy PolicyOf(string? stored) => stored is null ? defaultPolicy : RetentionPolicy.Parse(stored).Policy ?? defaultPolicy;

    /// <summary>Sets the tenant's policy (the tenant must exist: it has events or tokens) and records who did.</summary>
    public async Task<bool> SetPolicyAsync(Caller caller, string tenantId, RetentionPolicy policy, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.TenantId == tenantId, ct);
        if (tenant is null) return false;
        var before = PolicyOf(tenant.Retention);
        tenant.Retention = policy.Text;
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(tenantId, caller.Name, $"retention:{tenantId}",
            new { action = "retention_policy_changed", from = before.Text, to = policy.Text, preset = policy.Preset });
        return true;
    }

    /// <summary>The tenant's holds, those in force first.</summary>
    public async Task<List<LegalHold>> HoldsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return (await db.LegalHolds.AsNoTracking().Where(h => h.TenantId == tenantId).ToListAsync(ct))
            .OrderBy(h => h.ReleasedAtMs is not null).ThenByDescending(h => h.PlacedAtMs).ToList();
    }

    public async Task<LegalHold> PlaceHoldAsync(Caller caller, string tenantId, TimeWindow window, string reason, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var hold = new LegalHold
        {
            TenantId = tenantId, FromMs = window.FromMs, ToMs = window.ToMs, Reason = reason.Trim(), PlacedBy = caller.Name,
            PlacedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        db.LegalHolds.Add(hold);
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(tenantId, caller.Name, $"legal_hold:{hold.Id}", new
        {
            action = "legal_hold_placed", hold_id = hold.Id, reason = hold.Reason,
            from = window.FromMs is { } f ? AuditTime.Print(f) : null, to = window.ToMs is { } t ? AuditTime.Print(t) : null,
        });
        return hold;
    }

    /// <summary>Releases a hold in force; false when the tenant has no such hold in force.</summary>
    public async Task<bool> ReleaseHoldAsync(Caller caller, string tenantId, long holdId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var hold = await db.LegalHolds.FirstOrDefaultAsync(h => h.Id == holdId && h.TenantId == tenantId && h.ReleasedAtMs == null, ct);
        if (hold is null) return false;
        hold.ReleasedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        hold.ReleasedBy = caller.Name;
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(tenantId, caller.Name, $"legal_hold:{hold.Id}", new { action = "legal_hold_released", hold_id = hold.Id, reason = hold.Reason });
        return true;
    }
}
