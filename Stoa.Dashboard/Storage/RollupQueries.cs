using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

public sealed record ConsumerStatusCount(string ConsumerId, string ConsumerName, int StatusCode, long Requests, long BytesIn, long BytesOut);

public sealed record BucketStatusCount(long BucketMs, int StatusCode, long Requests, long BytesIn, long BytesOut);

/// <summary>
/// Exact counts over long windows: a window is cut into whole days (read from the daily rollups),
/// whole hours around them (the hourly rollups), whole ten minutes around those (the ten-minute
/// rollups) and the few minutes at its edges (the events themselves), and the parts are added up.
/// The rollups are written in the same transaction as the events they count (see EventWriter), so
/// the parts always agree.
/// </summary>
public static class RollupQueries
{
    public const long TenMinutesMs = 10 * 60_000;
    public const long HourMs = AuditTime.HourMs;
    public const long DayMs = AuditTime.DayMs;
    /// <summary>The rollups kept, smallest first.</summary>
    public static readonly long[] Spans = [TenMinutesMs, HourMs, DayMs];

    /// <summary>Rebuilds every rollup from the events (the migration that adds them, and bulk loads).</summary>
    public static readonly string RebuildSql = "DELETE FROM request_rollups;\n" + CountSql("", "");

    /// <summary>
    /// Counts the events of the whole days [<paramref name="fromMs"/>, <paramref name="toMs"/>) into the
    /// rollups, which hold none of them yet: a bulk load a month at a time, where one statement over all
    /// of 100,000,000 events would sort them all on disk first.
    /// </summary>
    public static string CountSql(long fromMs, long toMs)
    {
        if (fromMs % DayMs != 0 || toMs % DayMs != 0) throw new ArgumentException("Rollups are counted a whole day at a time.");
        return CountSql($"WHERE timestamp >= {fromMs} AND timestamp < {toMs}", $"AND bucket >= {fromMs} AND bucket < {toMs}");
    }

    private static string CountSql(string events, string buckets) => $"""
        INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
        SELECT tenant_id, 600000, timestamp / 600000 * 600000, consumer_id, status_code, MAX(consumer_name), COUNT(*),
               SUM(request_size_bytes), SUM(response_size_bytes)
        FROM request_events {events} GROUP BY tenant_id, timestamp / 600000, consumer_id, status_code;
        INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
        SELECT tenant_id, 3600000, bucket / 3600000 * 3600000, consumer_id, status_code, MAX(consumer_name), SUM(requests),
               SUM(bytes_in), SUM(bytes_out)
        FROM request_rollups WHERE span = 600000 {buckets} GROUP BY tenant_id, bucket / 3600000, consumer_id, status_code;
        INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
        SELECT tenant_id, 86400000, bucket / 86400000 * 86400000, consumer_id, status_code, MAX(consumer_name), SUM(requests),
               SUM(bytes_in), SUM(bytes_out)
        FROM request_rollups WHERE span = 3600000 {buckets} GROUP BY tenant_id, bucket / 86400000, consumer_id, status_code;
        """;

    /// <summary>
    /// A part of a window: read from the rollups of <paramref name="SpanMs"/>, or from the events when
    /// it is 0; added, or subtracted when <paramref name="Sign"/> is -1.
    /// </summary>
    public sealed record Segment(long SpanMs, long FromMs, long ToMs, int Sign = 1);

    /// <summary>
    /// Cuts [from, to) into whole days, whole hours around them, whole ten minutes around those and
    /// raw edges, largest first where they fit. An edge of more than half of ten minutes is read as
    /// its ten minutes minus the rest of them: a window ending now reads at most five minutes of
    /// events, however busy the current hour is.
    /// </summary>
    public static List<Segment> Split(long fromMs, long toMs)
    {
        var segments = new List<Segment>();
        Cut(segments, fromMs, toMs, Spans.Length - 1);
        return segments;
    }

    private static void Cut(List<Segment> segments, long fromMs, long toMs, int level)
    {
        if (fromMs >= toMs) return;
        if (level < 0)
        {
            AddEdge(segments, fromMs, toMs);
            return;
        }
        var unit = Spans[level];
        var (first, last) = (Ceiling(fromMs, unit), Floor(toMs, unit));
        if (first >= last)
        {
            Cut(segments, fromMs, toMs, level - 1);
            return;
        }
        Cut(segments, fromMs, first, level - 1);
        segments.Add(new Segment(unit, first, last));
        Cut(segments, last, toMs, level - 1);
    }

    /// <summary>A part shorter than ten minutes: its events, or, for more than half of one ten minutes, those minus the events of the rest.</summary>
    private static void AddEdge(List<Segment> segments, long fromMs, long toMs)
    {
        var bucket = Floor(fromMs, TenMinutesMs);
        if (toMs - fromMs <= TenMinutesMs / 2 || toMs > bucket + TenMinutesMs)
        {
            segments.Add(new Segment(0, fromMs, toMs));
            return;
        }
        segments.Add(new Segment(TenMinutesMs, bucket, bucket + TenMinutesMs));
        if (bucket < fromMs) segments.Add(new Segment(0, bucket, fromMs, Sign: -1));
        if (toMs < bucket + TenMinutesMs) segments.Add(new Segment(0, toMs, bucket + TenMinutesMs, Sign: -1));
    }

    /// <summary>
    /// As <see cref="Split"/>, but a run of more than 12 hours inside one day is read as the whole day
    /// minus the hours of that day outside the run: a 24-hour window ending now reads one day and an
    /// hour or two instead of up to 23 hours. Only for answers by day or for the whole window.
    /// </summary>
    public static List<Segment> SplitWithComplements(long fromMs, long toMs)
    {
        var segments = new List<Segment>();
        foreach (var segment in Split(fromMs, toMs))
        {
            if (segment.SpanMs != HourMs)
            {
                segments.Add(segment);
                continue;
            }
            for (var day = Floor(segment.FromMs, DayMs); day < segment.ToMs; day += DayMs)
            {
                var (from, to) = (Math.Max(segment.FromMs, day), Math.Min(segment.ToMs, day + DayMs));
                if (to - from <= DayMs / 2)
                {
                    segments.Add(new Segment(HourMs, from, to));
                    continue;
                }
                segments.Add(new Segment(DayMs, day, day + DayMs));
                if (day < from) segments.Add(new Segment(HourMs, day, from, Sign: -1));
                if (to < day + DayMs) segments.Add(new Segment(HourMs, to, day + DayMs, Sign: -1));
            }
        }
        return segments;
    }

    private static long Floor(long ms, long unit) => ms >= 0 ? ms / unit * unit : -((-ms + unit - 1) / unit * unit);
    private static long Ceiling(long ms, long unit) => -Floor(-ms, unit);

    private static IQueryable<RequestRollup> Rollups(AuditDbContext db, AuditScope scope, Segment segment, string? consumerId)
    {
        var rollups = db.Rollups(scope).Where(r => r.SpanMs == segment.SpanMs && r.BucketMs >= segment.FromMs && r.BucketMs < segment.ToMs);
        return consumerId is null ? rollups : rollups.Where(r => r.ConsumerId == consumerId);
    }

    private static IQueryable<RequestEvent> Events(AuditDbContext db, AuditScope scope, Segment segment, string? consumerId)
    {
        var events = db.Requests(scope).InWindow(new TimeWindow(segment.FromMs, segment.ToMs));
        return consumerId is null ? events : events.Where(r => r.ConsumerId == consumerId);
    }

    /// <summary>Requests and bytes by consumer and status over the window, optionally for one consumer. Bytes are summed as REAL in the store, then saturated (<see cref="Saturating"/>).</summary>
    public static async Task<List<ConsumerStatusCount>> ByConsumerAndStatusAsync(AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        string? consumerId = null, CancellationToken ct = default)
    {
        var rows = new List<ConsumerStatusCount>();
        foreach (var segment in SplitWithComplements(fromMs, toMs))
        {
            var part = segment.SpanMs == 0
                ? await Events(db, scope, segment, consumerId).GroupBy(r => new { r.ConsumerId, r.StatusCode })
                    .Select(g => new { g.Key.ConsumerId, Name = g.Max(r => r.ConsumerName), g.Key.StatusCode, Requests = g.LongCount(),
                        BytesIn = g.Sum(r => (double)r.RequestSizeBytes), BytesOut = g.Sum(r => (double)r.ResponseSizeBytes) })
                    .ToListAsync(ct)
                : await Rollups(db, scope, segment, consumerId).GroupBy(r => new { r.ConsumerId, r.StatusCode })
                    .Select(g => new { g.Key.ConsumerId, Name = g.Max(r => r.ConsumerName), g.Key.StatusCode, Requests = g.Sum(r => r.Requests),
                        BytesIn = g.Sum(r => (double)r.BytesIn), BytesOut = g.Sum(r => (double)r.BytesOut) })
                    .ToListAsync(ct);
            // Names come from what is added (a subtracted hour's name may not be in the window at all).
            rows.AddRange(part.Select(r => new ConsumerStatusCount(r.ConsumerId, segment.Sign > 0 ? r.Name! : "", r.StatusCode,
                segment.Sign * r.Requests, Saturating.ToLong(segment.Sign * r.BytesIn), Saturating.ToLong(segment.Sign * r.BytesOut))));
        }
        return rows.GroupBy(r => (r.ConsumerId, r.StatusCode))
            .Select(g => new ConsumerStatusCount(g.Key.ConsumerId, g.Select(r => r.ConsumerName).Max(StringComparer.Ordinal)!, g.Key.StatusCode,
                g.Sum(r => r.Requests), g.Select(r => r.BytesIn).SumSaturating(), g.Select(r => r.BytesOut).SumSaturating()))
            .Where(c => c.Requests != 0) // all of it outside the window: subtracted to nothing
            .ToList();
    }

    /// <summary>Requests and bytes by bucket (an hour or a day) and status, optionally for one consumer.</summary>
    public static async Task<List<BucketStatusCount>> ByBucketAndStatusAsync(AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        long bucketMs, string? consumerId = null, CancellationToken ct = default)
    {
        if (bucketMs is not (HourMs or DayMs)) throw new ArgumentOutOfRangeException(nameof(bucketMs), "Buckets are hours or days.");
        var rows = new List<BucketStatusCount>();
        // By day, a long run of hours is the day minus the rest; by the hour, days are read as their hours.
        var segments = bucketMs == DayMs ? SplitWithComplements(fromMs, toMs)
            : Split(fromMs, toMs).Select(s => s.SpanMs > bucketMs ? s with { SpanMs = bucketMs } : s);
        foreach (var segment in segments)
        {
            var part = segment.SpanMs == 0
                ? await Events(db, scope, segment, consumerId).GroupBy(r => new { Bucket = r.TimestampMs / bucketMs, r.StatusCode })
                    .Select(g => new { g.Key.Bucket, g.Key.StatusCode, Requests = g.LongCount(), BytesIn = g.Sum(r => (double)r.RequestSizeBytes), BytesOut = g.Sum(r => (double)r.ResponseSizeBytes) })
                    .ToListAsync(ct)
                : await Rollups(db, scope, segment, consumerId).GroupBy(r => new { Bucket = r.BucketMs / bucketMs, r.StatusCode })
                    .Select(g => new { g.Key.Bucket, g.Key.StatusCode, Requests = g.Sum(r => r.Requests), BytesIn = g.Sum(r => (double)r.BytesIn), BytesOut = g.Sum(r => (double)r.BytesOut) })
                    .ToListAsync(ct);
            rows.AddRange(part.Select(r => new BucketStatusCount(r.Bucket * bucketMs, r.StatusCode,
                segment.Sign * r.Requests, Saturating.ToLong(segment.Sign * r.BytesIn), Saturating.ToLong(segment.Sign * r.BytesOut))));
        }
        return rows.GroupBy(r => (r.BucketMs, r.StatusCode))
            .Select(g => new BucketStatusCount(g.Key.BucketMs, g.Key.StatusCode, g.Sum(r => r.Requests), g.Select(r => r.BytesIn).SumSaturating(), g.Select(r => r.BytesOut).SumSaturating()))
            .Where(b => b.Requests != 0)
            .ToList();
    }
}
