using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>Requests of one bucket, by status class.</summary>
public sealed record HistogramBucket(long StartMs, long Status2xx, long Status3xx, long Status4xx, long Status5xx)
{
    public long Total => Status2xx + Status3xx + Status4xx + Status5xx;
}

public sealed record PathBreakdown(string Path, long Requests, long Errors, long Consumers);

/// <summary>One line of the merged stream: a request, security or business event.</summary>
public sealed record TimelineEntry(long TimestampMs, TimelineKind Kind, long Id, object Event)
{
    public RequestEvent? Request => Event as RequestEvent;
    public SecurityEvent? Security => Event as SecurityEvent;
    public BusinessEvent? Business => Event as BusinessEvent;
}

/// <summary>Kinds in the order they sort at the same millisecond: the request first, then what it caused.</summary>
public enum TimelineKind { Request = 0, Security = 1, Business = 2 }

/// <summary>"What happened between 3 and 4 am": the histogram, the paths, and the merged stream.</summary>
public static class Timeline
{
    /// <summary>The timeline's optional narrowing to one consumer: its requests, the security events it is actor or target of, the changes it made.</summary>
    public static IQueryable<RequestEvent> Requests(AuditDbContext db, AuditScope scope, TimeWindow window, string? consumerId)
    {
        var query = db.Requests(scope).InWindow(window);
        return consumerId is null ? query : query.Where(r => r.ConsumerId == consumerId);
    }

    private static IQueryable<SecurityEvent> Security(AuditDbContext db, AuditScope scope, TimeWindow window, string? consumerId)
    {
        var query = db.Security(scope).InWindow(window);
        return consumerId is null ? query : query.Where(s => s.Actor == consumerId || s.Target == consumerId);
    }

    private static IQueryable<BusinessEvent> Business(AuditDbContext db, AuditScope scope, TimeWindow window, string? consumerId)
    {
        var query = db.Business(scope).InWindow(window);
        return consumerId is null ? query : query.Where(b => b.ActorId == consumerId);
    }

    public static async Task<(long Width, List<HistogramBucket> Buckets)> HistogramAsync(AuditDbContext db, AuditScope scope,
        long fromMs, long toMs, string? consumerId = null, CancellationToken ct = default)
    {
        var width = Buckets.WidthFor(fromMs, toMs);
        var origin = fromMs / width * width;
        var counts = await Requests(db, scope, new TimeWindow(fromMs, toMs), consumerId)
            .GroupBy(r => new { Bucket = (r.TimestampMs - origin) / width, Class = r.StatusCode / 100 })
            .Select(g => new { g.Key.Bucket, g.Key.Class, Count = g.LongCount() })
            .ToListAsync(ct);
        var byBucket = counts.ToLookup(c => origin + c.Bucket * width);
        long Of(long start, int cls) => byBucket[start].Where(c => c.Class == cls).Sum(c => c.Count);
        var buckets = Buckets.Starts(fromMs, toMs, width)
            // 1xx are folded into 2xx: informational answers are rare and never an incident.
            .Select(s => new HistogramBucket(s, Of(s, 1) + Of(s, 2), Of(s, 3), Of(s, 4), Of(s, 5)))
            .ToList();
        return (width, buckets);
    }

    public static async Task<List<PathBreakdown>> PathsAsync(AuditDbContext db, AuditScope scope, TimeWindow window, string? consumerId = null,
        int top = 50, CancellationToken ct = default)
    {
        // EF translates ordering over anonymous projections only, so the record is built after.
        var rows = await Requests(db, scope, window, consumerId)
            .GroupBy(r => r.Path)
            .Select(g => new { Path = g.Key, Requests = g.LongCount(), Errors = g.LongCount(r => r.StatusCode >= 400),
                Consumers = g.Select(r => r.ConsumerId).Distinct().LongCount() })
            .OrderByDescending(p => p.Requests).ThenBy(p => p.Path)
            .Take(top)
            .ToListAsync(ct);
        return rows.Select(p => new PathBreakdown(p.Path, p.Requests, p.Errors, p.Consumers)).ToList();
    }

    /// <summary>
    /// A page of the merged stream, oldest first, after <paramref name="after"/> (exclusive). Each
    /// layer is read by keyset up to <paramref name="limit"/>, then merged: exact and bounded.
    /// </summary>
    public static async Task<List<TimelineEntry>> StreamAsync(AuditDbContext db, AuditScope scope, TimeWindow window,
        TimelineEntry? after, int limit, string? consumerId = null, CancellationToken ct = default)
    {
        var requests = await After(Requests(db, scope, window, consumerId), TimelineKind.Request, after).Take(limit).AsNoTracking().ToListAsync(ct);
        var security = await After(Security(db, scope, window, consumerId), TimelineKind.Security, after).Take(limit).AsNoTracking().ToListAsync(ct);
        var business = await After(Business(db, scope, window, consumerId), TimelineKind.Business, after).Take(limit).AsNoTracking().ToListAsync(ct);
        return requests.Select(r => new TimelineEntry(r.TimestampMs, TimelineKind.Request, r.Id, r))
            .Concat(security.Select(s => new TimelineEntry(s.TimestampMs, TimelineKind.Security, s.Id, s)))
            .Concat(business.Select(b => new TimelineEntry(b.TimestampMs, TimelineKind.Business, b.Id, b)))
            .OrderBy(e => e.TimestampMs).ThenBy(e => e.Kind).ThenBy(e => e.Id)
            .Take(limit)
            .ToList();
    }

    private static IQueryable<T> After<T>(IQueryable<T> query, TimelineKind kind, TimelineEntry? after) where T : class, ITimeOrdered
    {
        if (after is not null)
        {
            var (ts, id) = (after.TimestampMs, after.Id);
            query = kind.CompareTo(after.Kind) switch
            {
                < 0 => query.Where(e => e.TimestampMs > ts),
                0 => query.Where(e => e.TimestampMs > ts || (e.TimestampMs == ts && e.Id > id)),
                _ => query.Where(e => e.TimestampMs >= ts),
            };
        }
        return query.InOrder(ascending: true);
    }

    /// <summary>What the detail of a request shows beside it: the business changes it caused, and its consumer's security events around it.</summary>
    public static async Task<(List<BusinessEvent> Changes, List<SecurityEvent> SecurityAround)> ContextAsync(AuditDbContext db,
        AuditScope scope, RequestEvent request, TimeSpan around, CancellationToken ct = default)
    {
        var changes = await db.Business(scope).Where(b => b.RequestId == request.RequestId)
            .InOrder(true).AsNoTracking().ToListAsync(ct);
        var (from, to) = (request.TimestampMs - (long)around.TotalMilliseconds, request.TimestampMs + (long)around.TotalMilliseconds);
        var (consumer, key) = (request.ConsumerId, request.KeyId ?? request.ConsumerId);
        var security = await db.Security(scope).InWindow(new TimeWindow(from, to))
            .Where(s => s.Actor == consumer || s.Target == consumer || s.Target == key)
            .InOrder(true).Take(200).AsNoTracking().ToListAsync(ct);
        return (changes, security);
    }
}
