using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

public sealed record ConsumerStatusCount(string ConsumerId, string ConsumerName, int StatusCode, long Requests, long BytesIn, long BytesOut);

public sealed record BucketStatusCount(long BucketMs, int StatusCode, long Requests, long BytesIn, long BytesOut);

/// <summary>
/// Exact counts over long windows: a window is cut into whole days (read from the daily rollups),
/// whole six hours and hours around them, whole ten minutes around those and the few minutes at its
/// edges (the events themselves), and the parts are added up. The rollups are written in the same
/// transaction as the events they count (see EventWriter), so the parts always agree.
/// </summary>
public static class RollupQueries
{
    public const long TenMinutesMs = 10 * 60_000;
    public const long HourMs = AuditTime.HourMs;
    public const long SixHoursMs = 6 * HourMs;
    public const long DayMs = AuditTime.DayMs;
    /// <summary>
    /// The rollups kept, smallest first; each span is a whole number of the one before it. Six hours
    /// sit between the hour and the day because a day's worth of hours is most of what a window reads:
    /// a 24-hour window ending now read about 21 hours (63,000 rows at 300 consumers), and reads about
    /// 5 hours and 3 six-hours with them.
    /// </summary>
    public static readonly long[] Spans = [TenMinutesMs, HourMs, SixHoursMs, DayMs];

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

    /// <summary>
    /// The smallest span counted from the events, each larger one from the span before it; written in the
    /// order they are read, so that a bucket's rows share pages (<see cref="Migrations.SixHourRollups"/>).
    /// </summary>
    private static string CountSql(string events, string buckets) => string.Join("\n", Spans.Select((span, i) => i == 0
        ? $"""
            INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
            SELECT tenant_id, {span}, timestamp / {span} * {span}, consumer_id, status_code, MAX(consumer_name), COUNT(*),
                   SUM(request_size_bytes), SUM(response_size_bytes)
            FROM request_events {events} GROUP BY tenant_id, timestamp / {span}, consumer_id, status_code
            ORDER BY tenant_id, timestamp / {span}, consumer_id, status_code;
            """
        : FromSmallerSql(Spans[i - 1], span, buckets)));

    /// <summary>Counts the rollups of <paramref name="smaller"/> into those of <paramref name="span"/>.</summary>
    private static string FromSmallerSql(long smaller, long span, string buckets) => $"""
        INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
        SELECT tenant_id, {span}, bucket / {span} * {span}, consumer_id, status_code, MAX(consumer_name), SUM(requests),
               SUM(bytes_in), SUM(bytes_out)
        FROM request_rollups WHERE span = {smaller} {buckets} GROUP BY tenant_id, bucket / {span}, consumer_id, status_code
        ORDER BY tenant_id, bucket / {span}, consumer_id, status_code;
        """;

    /// <summary>
    /// A part of a window: read from the rollups of <paramref name="SpanMs"/>, or from the events when
    /// it is 0; added, or subtracted when <paramref name="Sign"/> is -1.
    /// </summary>
    public sealed record Segment(long SpanMs, long FromMs, long ToMs, int Sign = 1);

    /// <summary>
    /// Cuts [from, to) into whole days, whole six hours and hours around them, whole ten minutes around
    /// those and raw edges, largest first where they fit. An edge of more than half of ten minutes is read as
    /// its ten minutes minus the rest of them: a window ending now reads at most five minutes of
    /// events, however busy the current hour is. Segments that meet in the same span are read as one.
    /// </summary>
    public static List<Segment> Split(long fromMs, long toMs)
    {
        var segments = new List<Segment>();
        Cut(segments, fromMs, toMs, Spans.Length - 1);
        return Joined(segments);
    }

    /// <summary>The segments, each one that goes on where the one before it ends, in the same span and sign, joined to it: one query, not two.</summary>
    private static List<Segment> Joined(IEnumerable<Segment> segments)
    {
        var joined = new List<Segment>();
        foreach (var segment in segments)
        {
            if (joined.Count > 0 && joined[^1] is var last && last.SpanMs == segment.SpanMs && last.Sign == segment.Sign && last.ToMs == segment.FromMs)
                joined[^1] = last with { ToMs = segment.ToMs };
            else joined.Add(segment);
        }
        return joined;
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
    /// As <see cref="Split"/>, but the whole hours a window covers of a day are read as the whole day
    /// minus the rest of it wherever that reads fewer buckets: from 18:00 yesterday to 16:00 today reads
    /// yesterday's 18:00–24:00 as one six hours, and today as the day minus 16:00–24:00 (four buckets,
    /// not six). Only for answers by day or for the whole window.
    /// </summary>
    public static List<Segment> SplitWithComplements(long fromMs, long toMs)
    {
        var split = Split(fromMs, toMs);
        var wholeHours = split.Where(s => s.SpanMs >= HourMs).ToList();
        if (wholeHours.Count == 0) return split;
        var (first, last) = (wholeHours[0].FromMs, wholeHours[^1].ToMs);
        var segments = split.Where(s => s.ToMs <= first).ToList();
        for (var day = Floor(first, DayMs); day < last; day += DayMs)
        {
            var (from, to) = (Math.Max(first, day), Math.Min(last, day + DayMs));
            var direct = Split(from, to);
            var complement = Split(day, from).Concat(Split(to, day + DayMs)).Select(s => s with { Sign = -1 }).Prepend(new Segment(DayMs, day, day + DayMs)).ToList();
            segments.AddRange(Buckets(complement) < Buckets(direct) ? complement : direct);
        }
        segments.AddRange(split.Where(s => s.FromMs >= last));
        return Joined(segments);
    }

    /// <summary>How many rollup buckets the segments read: what a query's cost grows with.</summary>
    private static long Buckets(IEnumerable<Segment> segments) => segments.Sum(s => (s.ToMs - s.FromMs) / s.SpanMs);

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

    /// <summary>
    /// A window's segments as one query: each segment's rows (a rollup row, or an event as a count of
    /// one) signed, under UNION ALL, for the store to add up in one statement. Read a segment at a time,
    /// a day's window was a dozen round trips, each answering thousands of rows to be added up here.
    /// </summary>
    private static IQueryable<Part> Parts(AuditDbContext db, AuditScope scope, IEnumerable<Segment> segments, string? consumerId) =>
        segments.Select(segment =>
        {
            long sign = segment.Sign;
            // Names come from what is added (a subtracted hour's name may not be in the window at all).
            return segment.SpanMs == 0
                ? Events(db, scope, segment, consumerId).Select(r => new Part
                {
                    ConsumerId = r.ConsumerId, ConsumerName = sign > 0 ? r.ConsumerName : null, StatusCode = r.StatusCode, BucketMs = r.TimestampMs,
                    Requests = sign, BytesIn = sign * (double)r.RequestSizeBytes, BytesOut = sign * (double)r.ResponseSizeBytes,
                })
                : Rollups(db, scope, segment, consumerId).Select(r => new Part
                {
                    ConsumerId = r.ConsumerId, ConsumerName = sign > 0 ? r.ConsumerName : null, StatusCode = r.StatusCode, BucketMs = r.BucketMs,
                    Requests = sign * r.Requests, BytesIn = sign * (double)r.BytesIn, BytesOut = sign * (double)r.BytesOut,
                });
        }).Aggregate(Queryable.Concat);

    /// <summary>A row of <see cref="Parts"/>. Bytes are summed as REAL in the store (SQLite's integer SUM fails on overflow), then saturated (<see cref="Saturating"/>).</summary>
    private sealed class Part
    {
        public required string ConsumerId { get; init; }
        public string? ConsumerName { get; init; }
        public int StatusCode { get; init; }
        /// <summary>The rollup row's bucket, or the event's own time.</summary>
        public long BucketMs { get; init; }
        public long Requests { get; init; }
        public double BytesIn { get; init; }
        public double BytesOut { get; init; }
    }

    /// <summary>Requests and bytes by consumer and status over the window, optionally for one consumer.</summary>
    public static async Task<List<ConsumerStatusCount>> ByConsumerAndStatusAsync(AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        string? consumerId = null, CancellationToken ct = default)
    {
        if (fromMs >= toMs) return [];
        var rows = await Parts(db, scope, SplitWithComplements(fromMs, toMs), consumerId)
            .GroupBy(p => new { p.ConsumerId, p.StatusCode })
            .Select(g => new { g.Key.ConsumerId, Name = g.Max(p => p.ConsumerName), g.Key.StatusCode, Requests = g.Sum(p => p.Requests),
                BytesIn = g.Sum(p => p.BytesIn), BytesOut = g.Sum(p => p.BytesOut) })
            .Where(c => c.Requests != 0) // all of it outside the window: subtracted to nothing
            .ToListAsync(ct);
        return rows.Select(r => new ConsumerStatusCount(r.ConsumerId, r.Name ?? "", r.StatusCode, r.Requests,
            Saturating.ToLong(r.BytesIn), Saturating.ToLong(r.BytesOut))).ToList();
    }

    /// <summary>Requests and bytes by bucket (an hour or a day) and status, optionally for one consumer.</summary>
    public static async Task<List<BucketStatusCount>> ByBucketAndStatusAsync(AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        long bucketMs, string? consumerId = null, CancellationToken ct = default)
    {
        if (bucketMs is not (HourMs or DayMs)) throw new ArgumentOutOfRangeException(nameof(bucketMs), "Buckets are hours or days.");
        if (fromMs >= toMs) return [];
        // By day, a day's hours may be read as the day minus the rest; by the hour, days and six hours are read as their hours.
        var segments = bucketMs == DayMs ? SplitWithComplements(fromMs, toMs)
            : Split(fromMs, toMs).Select(s => s.SpanMs > bucketMs ? s with { SpanMs = bucketMs } : s);
        var rows = await Parts(db, scope, segments, consumerId)
            .GroupBy(p => new { Bucket = p.BucketMs / bucketMs, p.StatusCode })
            .Select(g => new { g.Key.Bucket, g.Key.StatusCode, Requests = g.Sum(p => p.Requests), BytesIn = g.Sum(p => p.BytesIn), BytesOut = g.Sum(p => p.BytesOut) })
            .Where(b => b.Requests != 0)
            .ToListAsync(ct);
        return rows.Select(r => new BucketStatusCount(r.Bucket * bucketMs, r.StatusCode, r.Requests,
            Saturating.ToLong(r.BytesIn), Saturating.ToLong(r.BytesOut))).ToList();
    }
}
