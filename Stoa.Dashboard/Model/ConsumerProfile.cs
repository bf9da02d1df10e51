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
    private const long HourMs = 3_600_000;

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
        var hourly = await RollupQueries.ByBucketAndStatusAsync(db, scope, from, to, HourMs, consumerId, ct);

        // What the rollups do not hold, in one pass over the window's rows of this consumer.
        var rows = await all.InWindow(window)
            .Select(r => new { r.Method, r.Path, r.LatencyMs, r.KeyId })
            .AsNoTracking().ToListAsync(ct);
        var latencies = rows.Select(r => r.LatencyMs).Order().ToList();
        var keys = rows.Where(r => r.KeyId is not null).Select(r => r.KeyId!).Distinct().Order(StringComparer.Ordinal).ToList();
        var targets = keys.Append(consumerId).ToList();
        var security = await db.Security(scope).InWindow(window)
            .Where(s => s.Actor == consumerId || targets.Contains(s.Target))
            .InOrder(ascending: false).Take(500).AsNoTracking().ToListAsync(ct);

        return new ConsumerProfile(consumerId, latest.ConsumerName,
            ErrorMix.From(statuses.Select(s => (s.StatusCode, s.Requests))),
            rows.GroupBy(r => r.Method).Select(g => new NamedCount(g.Key, g.LongCount())).OrderByDescending(m => m.Count).ToList(),
            rows.GroupBy(r => r.Path).Select(g => new NamedCount(g.Key, g.LongCount()))
                .OrderByDescending(p => p.Count).ThenBy(p => p.Name, StringComparer.Ordinal).Take(10).ToList(),
            statuses.OrderBy(s => s.StatusCode).Select(s => new NamedCount(s.StatusCode.ToString(), s.Requests)).ToList(),
            hourly.GroupBy(h => h.BucketMs).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(h => h.Requests))).ToList(),
            Percentile(latencies, 0.50), Percentile(latencies, 0.95),
            statuses.Sum(s => s.BytesIn), statuses.Sum(s => s.BytesOut), first, latest.TimestampMs, keys, security);
    }

    /// <summary>Nearest-rank percentile, exact: the value at rank ⌈p·n⌉ of the sorted values.</summary>
    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
}
