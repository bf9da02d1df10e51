using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>Requests of one bucket, by status class.</summary>
public sealed record HistogramBucket(long StartMs, long Status2xx, long Status3xx, long Status4xx, long Status5xx)
{
    public long Total => Status2xx + Status3xx + Status4xx + Status5xx;
}

public sealed record PathBreakdown(string Path, long Requests, long Errors, long Consumers);

/// <summary>
/// What the timeline narrows to: the live tail's filters (<see cref="LiveFilter"/>: the events that involve one consumer,
/// <see cref="EventRules"/>; a kind; a request's status class, method, path prefix), and the events whose text holds
/// <see cref="Text"/> (any case): a request's path, consumer, request id or error; a security event's actor, target, id or
/// details; a business event's resource, actor or request id.
/// </summary>
public sealed record TimelineFilter(LiveFilter Fields, string? Text = null)
{
    public static readonly TimelineFilter None = new(new LiveFilter());

    public TimelineFilter(string? consumerId, string? text = null) : this(new LiveFilter(consumerId), text) { }

    public string? ConsumerId => Fields.ConsumerId;
}

/// <summary>"What happened between 3 and 4 am": the histogram, the paths, and the merged stream.</summary>
public static class Timeline
{
    /// <summary>The requests of the window the filter keeps.</summary>
    public static IQueryable<RequestEvent> Requests(AuditDbContext db, AuditScope scope, TimeWindow window, TimelineFilter? filter) =>
        Narrow(db.Requests(scope).InWindow(window), filter);

    private static IQueryable<T> Involving<T>(IQueryable<T> query, string? consumerId) where T : AuditEvent, IEventKind =>
        consumerId is null ? query : query.Where(EventRules.Involves<T>(consumerId));

    private static IQueryable<T> Narrow<T>(IQueryable<T> query, TimelineFilter? filter) where T : AuditEvent, IEventKind
    {
        query = Involving(query, filter?.ConsumerId);
        if (filter is { Fields: var f })
        {
            if (!f.Keeps(T.ThisKind)) query = query.Where(_ => false);
            else if (query is IQueryable<RequestEvent> requests) query = (IQueryable<T>)NarrowRequests(requests, f);
        }
        if (string.IsNullOrWhiteSpace(filter?.Text)) return query;
        // Anywhere, in any case (ASCII, as both stores' lower() folds it), as typed: no pattern characters.
        var t = AsciiLower(filter.Text.Trim());
        return query switch
        {
            IQueryable<RequestEvent> r => (IQueryable<T>)r.Where(e => e.Path.ToLower().Contains(t) || e.ConsumerId.ToLower().Contains(t)
                || e.ConsumerName.ToLower().Contains(t) || e.RequestId.ToLower().Contains(t) || e.ErrorMessage!.ToLower().Contains(t)),
            IQueryable<SecurityEvent> s => (IQueryable<T>)s.Where(e => e.Actor.ToLower().Contains(t) || e.Target.ToLower().Contains(t)
                || e.EventId.ToLower().Contains(t) || e.Details!.ToLower().Contains(t)),
            IQueryable<BusinessEvent> b => (IQueryable<T>)b.Where(e => e.ResourceId.ToLower().Contains(t) || e.ResourceType.ToLower().Contains(t)
                || e.ActorId.ToLower().Contains(t) || e.RequestId!.ToLower().Contains(t)),
            _ => query,
        };
    }

    private static string AsciiLower(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++) span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
    });

    /// <summary>The request-only filters in SQL, as <see cref="LiveFilter.Matches"/> reads them in memory.</summary>
    private static IQueryable<RequestEvent> NarrowRequests(IQueryable<RequestEvent> requests, LiveFilter f)
    {
        if (f.StatusClass is { } cls) requests = requests.Where(r => r.StatusCode >= cls * 100 && r.StatusCode < cls * 100 + 100);
        if (f.Method is { } method) requests = requests.Where(r => r.Method == method);
        if (f.PathPrefix is { } prefix) requests = requests.Where(r => r.Path.StartsWith(prefix));
        return requests;
    }

    public static async Task<(long Width, List<HistogramBucket> Buckets)> HistogramAsync(AuditDbContext db, AuditScope scope,
        long fromMs, long toMs, TimelineFilter? filter = null, CancellationToken ct = default)
    {
        (fromMs, toMs) = await DataExtent.ClampAsync(Requests(db, scope, TimeWindow.All, filter), fromMs, toMs, ct);
        var width = Buckets.WidthFor(fromMs, toMs);
        var origin = fromMs / width * width;
        var counts = await Requests(db, scope, new TimeWindow(fromMs, toMs), filter)
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

    public static async Task<List<PathBreakdown>> PathsAsync(AuditDbContext db, AuditScope scope, TimeWindow window, TimelineFilter? filter = null,
        int top = 50, CancellationToken ct = default)
    {
        // EF translates ordering over anonymous projections only, so the record is built after.
        var rows = await Requests(db, scope, window, filter)
            .GroupBy(r => r.Path)
            .Select(g => new { Path = g.Key, Requests = g.LongCount(), Errors = g.LongCount(r => r.StatusCode >= 400),
                Consumers = g.Select(r => r.ConsumerId).Distinct().LongCount() })
            .OrderByDescending(p => p.Requests).ThenBy(p => p.Path)
            .Take(top)
            .ToListAsync(ct);
        return rows.Select(p => new PathBreakdown(p.Path, p.Requests, p.Errors, p.Consumers)).ToList();
    }

    /// <summary>
    /// A page of the merged stream, oldest or newest first, after <paramref name="after"/>
    /// (exclusive). Each kind is read by keyset up to <paramref name="limit"/>, then merged: exact
    /// and bounded. At the same millisecond a request sorts before what it caused.
    /// </summary>
    public static async Task<List<AuditEvent>> StreamAsync(AuditDbContext db, AuditScope scope, TimeWindow window,
        AuditEvent? after, int limit, TimelineFilter? filter = null, bool ascending = true, CancellationToken ct = default)
    {
        var events = new List<AuditEvent>();
        events.AddRange(await After(Narrow(db.Requests(scope).InWindow(window), filter), after, ascending).Take(limit).AsNoTracking().ToListAsync(ct));
        events.AddRange(await After(Narrow(db.Security(scope).InWindow(window), filter), after, ascending).Take(limit).AsNoTracking().ToListAsync(ct));
        events.AddRange(await After(Narrow(db.Business(scope).InWindow(window), filter), after, ascending).Take(limit).AsNoTracking().ToListAsync(ct));
        var ordered = ascending
            ? events.OrderBy(e => e.TimestampMs).ThenBy(e => e.Kind).ThenBy(e => e.Id)
            : events.OrderByDescending(e => e.TimestampMs).ThenByDescending(e => e.Kind).ThenByDescending(e => e.Id);
        return ordered.Take(limit).ToList();
    }

    /// <summary>The events of one kind after <paramref name="after"/> in (time, kind, id) order, whatever its kind.</summary>
    private static IQueryable<T> After<T>(IQueryable<T> query, AuditEvent? after, bool ascending) where T : AuditEvent, IEventKind
    {
        if (after is not null)
        {
            var (ts, id) = (after.TimestampMs, after.Id);
            // Compared with the last event's kind: a kind that sorts before it resumes after its millisecond, one that sorts after it at it.
            var sortsBefore = ascending ? T.ThisKind.CompareTo(after.Kind) : after.Kind.CompareTo(T.ThisKind);
            query = (sortsBefore, ascending) switch
            {
                (< 0, true) => query.Where(e => e.TimestampMs > ts),
                (0, true) => query.Where(e => e.TimestampMs > ts || (e.TimestampMs == ts && e.Id > id)),
                (_, true) => query.Where(e => e.TimestampMs >= ts),
                (< 0, false) => query.Where(e => e.TimestampMs < ts),
                (0, false) => query.Where(e => e.TimestampMs < ts || (e.TimestampMs == ts && e.Id < id)),
                (_, false) => query.Where(e => e.TimestampMs <= ts),
            };
        }
        return query.InOrder(ascending);
    }

    /// <summary>What the detail of a request shows beside it: the business changes it caused, and its consumer's security events around it.</summary>
    public static async Task<(List<BusinessEvent> Changes, List<SecurityEvent> SecurityAround)> ContextAsync(AuditDbContext db,
        AuditScope scope, RequestEvent request, TimeSpan around, CancellationToken ct = default)
    {
        var changes = await db.Business(scope).Where(b => b.RequestId == request.RequestId)
            .InOrder(true).AsNoTracking().ToListAsync(ct);
        var (from, to) = (request.TimestampMs - (long)around.TotalMilliseconds, request.TimestampMs + (long)around.TotalMilliseconds);
        var security = await Involving(db.Security(scope).InWindow(new TimeWindow(from, to)), request.ConsumerId)
            .InOrder(true).Take(200).AsNoTracking().ToListAsync(ct);
        return (changes, security);
    }
}
