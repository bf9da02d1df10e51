using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Storage;

public sealed record ConsumerStatusCount(string ConsumerId, string ConsumerName, int StatusCode, long Requests, long BytesIn, long BytesOut);

public sealed record BucketStatusCount(long BucketMs, int StatusCode, long Requests, long BytesIn, long BytesOut);

/// <summary>
/// Exact counts over long windows: the whole hours inside a window come from the hourly rollups,
/// the partial hours at its edges from the events themselves, and the two are added up. The
/// rollups are written in the same transaction as the events they count (see EventWriter), so
/// both always agree.
/// </summary>
public static class RollupQueries
{
    public const long HourMs = 3_600_000;

    /// <summary>Rebuilds every rollup from the events (the migration that adds them, and bulk loads).</summary>
    public const string RebuildSql = """
        DELETE FROM request_rollups;
        INSERT INTO request_rollups (tenant_id, hour, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
        SELECT tenant_id, timestamp / 3600000 * 3600000, consumer_id, status_code, MAX(consumer_name), COUNT(*),
               SUM(request_size_bytes), SUM(response_size_bytes)
        FROM request_events
        GROUP BY tenant_id, timestamp / 3600000, consumer_id, status_code;
        """;

    /// <summary>The window's whole hours (may be empty) and the partial edges around them.</summary>
    public static (long HoursFrom, long HoursTo, List<TimeWindow> Edges) Split(long fromMs, long toMs)
    {
        var hoursFrom = (fromMs + HourMs - 1) / HourMs * HourMs;
        var hoursTo = toMs / HourMs * HourMs;
        if (hoursFrom >= hoursTo) return (0, 0, [new TimeWindow(fromMs, toMs)]);
        var edges = new List<TimeWindow>();
        if (fromMs < hoursFrom) edges.Add(new TimeWindow(fromMs, hoursFrom));
        if (hoursTo < toMs) edges.Add(new TimeWindow(hoursTo, toMs));
        return (hoursFrom, hoursTo, edges);
    }

    /// <summary>Requests, bytes by consumer and status over the window, optionally for one consumer.</summary>
    public static async Task<List<ConsumerStatusCount>> ByConsumerAndStatusAsync(AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        string? consumerId = null, CancellationToken ct = default)
    {
        var (hoursFrom, hoursTo, edges) = Split(fromMs, toMs);
        var rows = new List<ConsumerStatusCount>();
        if (hoursFrom < hoursTo)
        {
            var rollups = db.Rollups(scope).Where(r => r.HourMs >= hoursFrom && r.HourMs < hoursTo);
            if (consumerId is not null) rollups = rollups.Where(r => r.ConsumerId == consumerId);
            rows.AddRange((await rollups.GroupBy(r => new { r.ConsumerId, r.StatusCode })
                    .Select(g => new { g.Key.ConsumerId, Name = g.Max(r => r.ConsumerName), g.Key.StatusCode, Requests = g.Sum(r => r.Requests),
                        BytesIn = g.Sum(r => r.BytesIn), BytesOut = g.Sum(r => r.BytesOut) })
                    .ToListAsync(ct))
                .Select(r => new ConsumerStatusCount(r.ConsumerId, r.Name!, r.StatusCode, r.Requests, r.BytesIn, r.BytesOut)));
        }
        foreach (var edge in edges)
        {
            var events = db.Requests(scope).InWindow(edge);
            if (consumerId is not null) events = events.Where(r => r.ConsumerId == consumerId);
            rows.AddRange((await events.GroupBy(r => new { r.ConsumerId, r.StatusCode })
                    .Select(g => new { g.Key.ConsumerId, Name = g.Max(r => r.ConsumerName), g.Key.StatusCode, Requests = g.LongCount(),
                        BytesIn = g.Sum(r => r.RequestSizeBytes), BytesOut = g.Sum(r => r.ResponseSizeBytes) })
                    .ToListAsync(ct))
                .Select(r => new ConsumerStatusCount(r.ConsumerId, r.Name!, r.StatusCode, r.Requests, r.BytesIn, r.BytesOut)));
        }
        return rows.GroupBy(r => (r.ConsumerId, r.StatusCode))
            .Select(g => new ConsumerStatusCount(g.Key.ConsumerId, g.Select(r => r.ConsumerName).Max(StringComparer.Ordinal)!, g.Key.StatusCode,
                g.Sum(r => r.Requests), g.Sum(r => r.BytesIn), g.Sum(r => r.BytesOut)))
            .ToList();
    }

    /// <summary>Requests, bytes by bucket (a whole number of hours: an hour, a day) and status, optionally for one consumer.</summary>
    public static async Task<List<BucketStatusCount>> ByBucketAndStatusAsync(AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        long bucketMs, string? consumerId = null, CancellationToken ct = default)
    {
        if (bucketMs % HourMs != 0) throw new ArgumentOutOfRangeException(nameof(bucketMs), "Buckets are whole hours.");
        var (hoursFrom, hoursTo, edges) = Split(fromMs, toMs);
        var rows = new List<BucketStatusCount>();
        if (hoursFrom < hoursTo)
        {
            var rollups = db.Rollups(scope).Where(r => r.HourMs >= hoursFrom && r.HourMs < hoursTo);
            if (consumerId is not null) rollups = rollups.Where(r => r.ConsumerId == consumerId);
            rows.AddRange((await rollups.GroupBy(r => new { Bucket = r.HourMs / bucketMs, r.StatusCode })
                    .Select(g => new { g.Key.Bucket, g.Key.StatusCode, Requests = g.Sum(r => r.Requests), BytesIn = g.Sum(r => r.BytesIn), BytesOut = g.Sum(r => r.BytesOut) })
                    .ToListAsync(ct))
                .Select(r => new BucketStatusCount(r.Bucket * bucketMs, r.StatusCode, r.Requests, r.BytesIn, r.BytesOut)));
        }
        foreach (var edge in edges)
        {
            var events = db.Requests(scope).InWindow(edge);
            if (consumerId is not null) events = events.Where(r => r.ConsumerId == consumerId);
            rows.AddRange((await events.GroupBy(r => new { Bucket = r.TimestampMs / bucketMs, r.StatusCode })
                    .Select(g => new { g.Key.Bucket, g.Key.StatusCode, Requests = g.LongCount(), BytesIn = g.Sum(r => r.RequestSizeBytes), BytesOut = g.Sum(r => r.ResponseSizeBytes) })
                    .ToListAsync(ct))
                .Select(r => new BucketStatusCount(r.Bucket * bucketMs, r.StatusCode, r.Requests, r.BytesIn, r.BytesOut)));
        }
        return rows.GroupBy(r => (r.BucketMs, r.StatusCode))
            .Select(g => new BucketStatusCount(g.Key.BucketMs, g.Key.StatusCode, g.Sum(r => r.Requests), g.Sum(r => r.BytesIn), g.Sum(r => r.BytesOut)))
            .ToList();
    }
}
