namespace Stoa.Dashboard.Storage;

/// <summary>
/// The one place isolation is decided: a tenant, and for a client the consumers it may see.
/// Every query starts from <see cref="ScopedQueries"/>, never from a bare DbSet.
/// </summary>
public sealed record AuditScope(string TenantId, IReadOnlySet<string>? Consumers)
{
    public bool IsConsumerLimited => Consumers is not null;

    // The same rules as the queries below, for events that arrive live rather than from a query.
    public bool Sees(RequestEvent r) => r.TenantId == TenantId && (Consumers is null || Consumers.Contains(r.ConsumerId));

    public bool Sees(SecurityEvent s) =>
        s.TenantId == TenantId && (Consumers is null || Consumers.Contains(s.Actor) || Consumers.Contains(s.Target));

    public bool Sees(BusinessEvent b) => b.TenantId == TenantId && (Consumers is null || Consumers.Contains(b.ActorId));
}

public static class ScopedQueries
{
    /// <summary>Request events of the scope: the tenant's, narrowed to a client's consumers.</summary>
    public static IQueryable<RequestEvent> Requests(this AuditDbContext db, AuditScope scope)
    {
        var query = db.Requests.Where(r => r.TenantId == scope.TenantId);
        if (scope.Consumers is not null)
        {
            var consumers = scope.Consumers.ToList();
            query = query.Where(r => consumers.Contains(r.ConsumerId));
        }
        return query;
    }

    /// <summary>Hourly request rollups of the scope: the tenant's, narrowed to a client's consumers.</summary>
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

    /// <summary>Security events of the scope: for a client, those whose actor or target is one of its consumers.</summary>
    public static IQueryable<SecurityEvent> Security(this AuditDbContext db, AuditScope scope)
    {
        var query = db.SecurityEvents.Where(s => s.TenantId == scope.TenantId);
        if (scope.Consumers is not null)
        {
            var consumers = scope.Consumers.ToList();
            query = query.Where(s => consumers.Contains(s.Actor) || consumers.Contains(s.Target));
        }
        return query;
    }

    /// <summary>Business events of the scope: for a client, those whose actor is one of its consumers.</summary>
    public static IQueryable<BusinessEvent> Business(this AuditDbContext db, AuditScope scope)
    {
        var query = db.BusinessEvents.Where(b => b.TenantId == scope.TenantId);
        if (scope.Consumers is not null)
        {
            var consumers = scope.Consumers.ToList();
            query = query.Where(b => consumers.Contains(b.ActorId));
        }
        return query;
    }
}
