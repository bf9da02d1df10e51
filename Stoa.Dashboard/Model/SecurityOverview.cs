using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

public sealed record TargetFailures(string Target, long Failures, long FailuresLast24h, bool BruteForce);

/// <summary>The security page's numbers: counts by type over time, and the most attacked targets.</summary>
public sealed record SecurityOverview(long BucketWidthMs, IReadOnlyList<long> BucketStarts,
    IReadOnlyDictionary<string, long[]> CountsByType, IReadOnlyList<TargetFailures> TopAuthFailedTargets)
{

    /// <param name="bruteForceThreshold">Failures on one target within 24h that raise the warning.</param>
    public static async Task<SecurityOverview> LoadAsync(AuditDbContext db, AuditScope scope, SecurityFilter filter, long fromMs, long toMs,
        long bruteForceThreshold, CancellationToken ct = default)
    {
        var (dayStart, windowEnd) = (toMs - AuditTime.DayMs, toMs);
        (fromMs, toMs) = await DataExtent.ClampAsync(db.Security(scope).Filter(filter with { Window = TimeWindow.All }), fromMs, toMs, ct);
        var width = Buckets.WidthFor(fromMs, toMs);
        var origin = fromMs / width * width;
        var events = db.Security(scope).Filter(filter with { Window = new TimeWindow(fromMs, toMs) });
        var counts = await events
            .GroupBy(s => new { EventType = s.Type, Bucket = (s.TimestampMs - origin) / width })
            .Select(g => new { g.Key.EventType, g.Key.Bucket, Count = g.LongCount() })
            .ToListAsync(ct);
        var starts = Buckets.Starts(fromMs, toMs, width).ToList();
        var byType = counts.GroupBy(c => c.EventType).ToDictionary(g => g.Key, g =>
        {
            var series = new long[starts.Count];
            foreach (var c in g)
            {
                var index = (int)((origin + c.Bucket * width - starts[0]) / width);
                if (index >= 0 && index < series.Length) series[index] += c.Count;
            }
            return series;
        });

        var failures = db.Security(scope).InWindow(new TimeWindow(fromMs, windowEnd)).Where(s => s.Type == "auth_failed");
        var top = await failures.GroupBy(s => s.Target)
            .Select(g => new { Target = g.Key, Count = g.LongCount(), Last24h = g.LongCount(s => s.TimestampMs >= dayStart) })
            .OrderByDescending(t => t.Count).ThenBy(t => t.Target).Take(10)
            .ToListAsync(ct);
        return new SecurityOverview(width, starts, byType,
            top.Select(t => new TargetFailures(t.Target, t.Count, t.Last24h, t.Last24h >= bruteForceThreshold)).ToList());
    }
}
