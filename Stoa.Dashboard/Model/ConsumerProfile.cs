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
        var all = db.Requests(scope).Where(r => r.ConsumerId == consumerId);
        var ever = await all.GroupBy(_ => 1)
            .Select(g => new { First = g.Min(r => r.TimestampMs), Last = g.Max(r => r.TimestampMs), Name = g.Max(r => r.ConsumerName) })
            .FirstOrDefaultAsync(ct);
        if (ever is null) return null;

        var inWindow = all.InWindow(window);
        var statuses = await inWindow.GroupBy(r => r.StatusCode).Select(g => new { Status = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        long Count(Func<int, bool> match) => statuses.Where(s => match(s.Status)).Sum(s => s.Count);
        var mix = new ErrorMix(Count(_ => true),
            Count(s => s is >= 400 and < 500 and not (401 or 403 or 429)), Count(s => s is 401 or 403), Count(s => s == 429), Count(s => s >= 500));

        var methods = (await inWindow.GroupBy(r => r.Method).Select(g => new { Name = g.Key, Count = g.LongCount() })
            .OrderByDescending(m => m.Count).ToListAsync(ct)).Select(m => new NamedCount(m.Name, m.Count)).ToList();
        var paths = (await inWindow.GroupBy(r => r.Path).Select(g => new { Name = g.Key, Count = g.LongCount() })
            .OrderByDescending(p => p.Count).ThenBy(p => p.Name).Take(10).ToListAsync(ct)).Select(p => new NamedCount(p.Name, p.Count)).ToList();
        var hourly = await inWindow.GroupBy(r => r.TimestampMs / HourMs).Select(g => new { g.Key, Count = g.LongCount() })
            .OrderBy(h => h.Key).ToListAsync(ct);
        var bytes = await inWindow.GroupBy(_ => 1)
            .Select(g => new { In = g.Sum(r => r.RequestSizeBytes), Out = g.Sum(r => r.ResponseSizeBytes) }).FirstOrDefaultAsync(ct);
        var keys = await all.Where(r => r.KeyId != null).Select(r => r.KeyId!).Distinct().OrderBy(k => k).ToListAsync(ct);

        var targets = keys.Append(consumerId).ToList();
        var security = await db.Security(scope).InWindow(window)
            .Where(s => s.Actor == consumerId || targets.Contains(s.Target))
            .InOrder(ascending: false).Take(500).AsNoTracking().ToListAsync(ct);

        return new ConsumerProfile(consumerId, ever.Name ?? consumerId, mix, methods, paths,
            statuses.OrderBy(s => s.Status).Select(s => new NamedCount(s.Status.ToString(), s.Count)).ToList(),
            hourly.Select(h => (h.Key * HourMs, h.Count)).ToList(),
            await PercentileAsync(inWindow, mix.Requests, 0.50, ct), await PercentileAsync(inWindow, mix.Requests, 0.95, ct),
            bytes?.In ?? 0, bytes?.Out ?? 0, ever.First, ever.Last, keys, security);
    }

    /// <summary>Nearest-rank percentile of latency, exact: the value at rank ⌈p·n⌉.</summary>
    private static async Task<long> PercentileAsync(IQueryable<RequestEvent> requests, long count, double p, CancellationToken ct)
    {
        if (count == 0) return 0;
        var rank = (int)Math.Ceiling(p * count) - 1;
        return await requests.OrderBy(r => r.LatencyMs).Skip(rank).Select(r => r.LatencyMs).FirstAsync(ct);
    }
}
