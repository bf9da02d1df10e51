using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

/// <summary>The tables as a scope may read them: the tenant's events, narrowed to a client's consumers by <see cref="EventRules.Visible{T}"/>.</summary>
public static class ScopedQueries
{
    public static IQueryable<RequestEvent> Requests(this AuditDbContext db, AuditScope scope) =>
        db.Requests.Where(EventRules.Visible<RequestEvent>(scope));

    public static IQueryable<SecurityEvent> Security(this AuditDbContext db, AuditScope scope) =>
        db.SecurityEvents.Where(EventRules.Visible<SecurityEvent>(scope));

    public static IQueryable<BusinessEvent> Business(this AuditDbContext db, AuditScope scope) =>
        db.BusinessEvents.Where(EventRules.Visible<BusinessEvent>(scope));

    /// <summary>The event with this arrival number, if the scope may see it: one lookup per kind, each by its (tenant, seq) index.</summary>
    public static async Task<AuditEvent?> EventAsync(this AuditDbContext db, AuditScope scope, long seq, CancellationToken ct = default) =>
        await db.Requests(scope).AsNoTracking().FirstOrDefaultAsync(e => e.Seq == seq, ct) as AuditEvent
        ?? await db.Security(scope).AsNoTracking().FirstOrDefaultAsync(e => e.Seq == seq, ct) as AuditEvent
        ?? await db.Business(scope).AsNoTracking().FirstOrDefaultAsync(e => e.Seq == seq, ct);

    /// <summary>Request rollups of the scope: the tenant's, narrowed to a client's consumers (a rollup row is one consumer's).</summary>
    public static IQueryable<RequestRollup> Rollups(this AuditDbContext db, AuditScope scope)
    {
        var query = db.RequestRollups.Where(r => r.TenantId == scope.TenantId);
        if (scope.Consumers is not null)
        {
            var consumers = scope.Consumers.ToList();
            query = query.Where(r => consumers.Contains(r.ConsumerId));
        }
        return query;
    }
}
