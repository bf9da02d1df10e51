using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

public sealed record NamedCount(string Name, long Count);

/// <summary>One consumer over a window: volume, mix, timing, size, and its security history.</summary>
public sealed record ConsumerProfile(
    string ConsumerId, string ConsumerName, ErrorMix Mix,
    IReadOnlyList<NamedCount> Methods, IReadOnlyList<NamedCount> TopPaths, IReadOnlyList<NamedCount> Statuses,
    IReadOnlyList<(long HourStartMs, long Count)> Hourly,
    long LatencyP50, long LatencyP95, long BytesIn, long BytesOut,
    long? FirstSeenMs, long? LastSeenMs, IReadOnlyList<string> KeyIds, IReadOnlyList<SecurityEvent> Security)
{

    /// <summary>The busiest hour of day in the given zone, or null without traffic.</summary>
    public int? PeakHour(TimeZoneInfo zone) => Heatmap(zone).GroupBy(c => c.Hour).Select(g => (g.Key, Count: g.Sum(c => c.Count)))
        .OrderByDescending(h => h.Count).ThenBy(h => h.Key).Select(h => (int?)h.Key).FirstOrDefault();

    /// <summary>Requests by local day and hour of day. Exact for zones on whole-hour offsets.</summary>
    public IEnumerable<(DateOnly Day, int Hour, long Count)> Heatmap(TimeZoneInfo zone) =>
        Hourly.Select(h => (Local: TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(h.HourStartMs), zone), h.Count))
            .GroupBy(h => (DateOnly.FromDateTime(h.Local.DateTime), h.Local.Hour))
            .Select(g => (g.Key.Item1, g.Key.Hour, g.Sum(h => h.Count)));

    /// <summary>Null when the consumer has no request in the scope at all (unknown, or not the caller's).</summary>
    public static async Task<ConsumerProfile?> LoadAsync(AuditDbContext db, AuditScope scope, string consumerId, TimeWindow window,
        CancellationToken ct = default)
    {
        // First and last seen, and the name, read from the (tenant, consumer, timestamp) index: no scan.
        var all = db.Requests(scope).Where(r => r.ConsumerId == consumerId);
        var latest = await all.OrderByDescending(r => r.TimestampMs).Select(r => new { r.TimestampMs, r.ConsumerName }).FirstOrDefaultAsync(ct);
        if (latest is null) return null;
        var first = await all.MinAsync(r => r.TimestampMs, ct);

        var (from, to) = (window.FromMs ?? 0, window.ToMs ?? long.MaxValue);
        var statuses = await RollupQueries.ByConsumerAndStatusAsync(db, scope, from, to, consumerId, ct);
        var hourly = await RollupQueries.ByBucketAndStatusAsync(db, scope, from, to, AuditTime.HourMs, consumerId, ct);

        // What the rollups do not hold: methods, paths, latencies and keys, counted from the rows.
        var usage = await ConsumerUsage.CountAsync(db, scope, consumerId, Math.Max(from, first), Math.Min(to, latest.TimestampMs + 1), ct);
        var methods = usage.Methods.Select(m => new NamedCount(m.Key, m.Value))
            .OrderByDescending(m => m.Count).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
        var paths = usage.Paths.Select(p => new NamedCount(p.Key, p.Value))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Name, StringComparer.Ordinal).Take(10).ToList();
        // Latency as an exact histogram (one entry per distinct value), from which any percentile is exact.
        var latencies = usage.Latencies.OrderBy(l => l.Key).Select(l => (l.Key, l.Value)).ToList();
        var keys = usage.Keys.ToList();
        var security = await SecurityHistoryAsync(db, scope, consumerId, window, ct);

        return new ConsumerProfile(consumerId, latest.ConsumerName,
            ErrorMix.From(statuses.Select(s => (s.StatusCode, s.Requests))),
            methods, paths,
            statuses.OrderBy(s => s.StatusCode).Select(s => new NamedCount(s.StatusCode.ToString(), s.Requests)).ToList(),
            hourly.GroupBy(h => h.BucketMs).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(h => h.Requests))).ToList(),
            Percentile(latencies, 0.50), Percentile(latencies, 0.95),
            statuses.Select(s => s.BytesIn).SumSaturating(), statuses.Select(s => s.BytesOut).SumSaturating(), first, latest.TimestampMs, keys, security);
    }

    /// <summary>
    /// The security events that involve the consumer (<see cref="EventRules"/>), newest first. One
    /// index range per consumer field (actor, target), merged here: a single query with OR walks
    /// the tenant's whole window.
    /// </summary>
    private static async Task<List<SecurityEvent>> SecurityHistoryAsync(AuditDbContext db, AuditScope scope, string consumerId,
        TimeWindow window, CancellationToken ct)
    {
        const int max = 500;
        var inWindow = db.Security(scope).InWindow(window);
        var events = new List<SecurityEvent>();
        foreach (var involves in EventRules.InvolvesByField<SecurityEvent>(consumerId))
            events.AddRange(await inWindow.Where(involves).InOrder(ascending: false).Take(max).AsNoTracking().ToListAsync(ct));
        return events.DistinctBy(s => s.Id).OrderByDescending(s => s.TimestampMs).ThenByDescending(s => s.Id).Take(max).ToList();
    }

    /// <summary>Nearest-rank percentile, exact: the value at rank ⌈p·n⌉, read from a sorted histogram.</summary>
    private static long Percentile(List<(long Value, long Count)> histogram, double p)
    {
        var total = histogram.Sum(h => h.Count);
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(p * total);
        long seen = 0;
        foreach (var (value, count) in histogram)
            if ((seen += count) >= rank) return value;
        return histogram[^1].Value;
    }
}
