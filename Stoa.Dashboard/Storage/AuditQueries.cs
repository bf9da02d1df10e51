using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

/// <summary>The filters of the API and the dashboard, applied in SQL (and, over archived rows, in memory: keep them expressions both can run).</summary>
public static class AuditQueries
{
    public static IQueryable<T> InWindow<T>(this IQueryable<T> query, TimeWindow window) where T : AuditEvent
    {
        if (window.FromMs is { } from) query = query.Where(r => r.TimestampMs >= from);
        if (window.ToMs is { } to) query = query.Where(r => r.TimestampMs < to);
        return query;
    }

    public static IQueryable<RequestEvent> Filter(this IQueryable<RequestEvent> query, RequestFilter f)
    {
        query = query.InWindow(f.Window);
        if (f.ConsumerId is { } consumer) query = query.Where(r => r.ConsumerId == consumer);
        if (f.ApiId is { } api) query = query.Where(r => r.ApiId == api);
        if (f.Method is { } method) query = query.Where(r => r.Method == method);
        if (f.Path is { } path) query = query.Where(r => r.Path == path);
        // substr keeps the prefix match case-sensitive and free of LIKE wildcards; the length test
        // lets the same filter run in memory over archived rows (Retention/ArchiveRows).
        if (f.PathPrefix is { } prefix) query = query.Where(r => r.Path.Length >= prefix.Length && r.Path.Substring(0, prefix.Length) == prefix);
        if (f.Status is { } status) query = query.Where(r => r.StatusCode == status);
        if (f.StatusMin is { } min) query = query.Where(r => r.StatusCode >= min);
        if (f.StatusMax is { } max) query = query.Where(r => r.StatusCode <= max);
        return query;
    }

    public static IQueryable<SecurityEvent> Filter(this IQueryable<SecurityEvent> query, SecurityFilter f)
    {
        query = query.InWindow(f.Window);
        if (f.EventTypes is { Count: > 0 } types)
        {
            var list = types.ToList();
            query = query.Where(s => list.Contains(s.Type));
        }
        if (f.Actor is { } actor) query = query.Where(s => s.Actor == actor);
        if (f.Target is { } target) query = query.Where(s => s.Target == target);
        if (f.Outcome is { } outcome) query = query.Where(s => s.Outcome == outcome);
        return query;
    }

    public static IQueryable<BusinessEvent> Filter(this IQueryable<BusinessEvent> query, BusinessFilter f)
    {
        query = query.InWindow(f.Window);
        if (f.Action is { } action) query = query.Where(b => b.Action == action);
        if (f.ResourceType is { } type) query = query.Where(b => b.ResourceType == type);
        if (f.ResourceId is { } id) query = query.Where(b => b.ResourceId == id);
        if (f.ActorId is { } actor) query = query.Where(b => b.ActorId == actor);
        if (f.RequestId is { } request) query = query.Where(b => b.RequestId == request);
        return query;
    }

    /// <summary>Orders by time then id, in the page's direction.</summary>
    public static IQueryable<T> InOrder<T>(this IQueryable<T> query, bool ascending) where T : AuditEvent =>
        ascending
            ? query.OrderBy(r => r.TimestampMs).ThenBy(r => r.Id)
            : query.OrderByDescending(r => r.TimestampMs).ThenByDescending(r => r.Id);

    /// <summary>
    /// One page by keyset: rows strictly after the cursor, so paging to the end neither skips nor
    /// repeats a row, even while new events arrive. In arrival order the key is <c>seq</c>, so a
    /// late event (an old timestamp, stored now) is still read after what was read before it.
    /// </summary>
    public static async Task<Page<T>> PageAsync<T>(this IQueryable<T> query, PageRequest page, CancellationToken ct)
        where T : AuditEvent
    {
        if (page.Order == PageOrder.Arrival)
        {
            if (page.After is { } since)
            {
                var seq = since.Seq;
                query = query.Where(r => r.Seq > seq);
            }
            query = query.OrderBy(r => r.Seq);
        }
        else
        {
            if (page.After is { } after)
            {
                var (ts, id) = (after.TimestampMs, after.Id);
                query = page.Ascending
                    ? query.Where(r => r.TimestampMs > ts || (r.TimestampMs == ts && r.Id > id))
                    : query.Where(r => r.TimestampMs < ts || (r.TimestampMs == ts && r.Id < id));
            }
            query = query.InOrder(page.Ascending);
        }
        var rows = await query.Take(page.Limit + 1).AsNoTracking().ToListAsync(ct);
        string? next = null;
        if (rows.Count > page.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            var last = rows[^1];
            next = (page.Order == PageOrder.Arrival ? PageCursor.AfterSeq(last.Seq) : new PageCursor(page.Order, last.TimestampMs, last.Id)).Encode();
        }
        return new Page<T>(rows, next);
    }
}
