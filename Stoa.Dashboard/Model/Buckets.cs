namespace Stoa.Dashboard.Model;

/// <summary>Picks a readable bucket width for a chart over a window: about 60 bars, on round units, never more than a few hundred.</summary>
public static class Buckets
{
    private static readonly long[] Widths =
    [
        1_000, 5_000, 10_000, 30_000, 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
        AuditTime.HourMs, 3 * AuditTime.HourMs, 6 * AuditTime.HourMs, 12 * AuditTime.HourMs,
        AuditTime.DayMs, 7 * AuditTime.DayMs, 30 * AuditTime.DayMs, 91 * AuditTime.DayMs, 365 * AuditTime.DayMs,
    ];

    public static long WidthFor(long fromMs, long toMs, int target = 60)
    {
        var span = Math.Max(1, toMs - fromMs);
        var round = Widths.FirstOrDefault(w => span / w <= target);
        // Past 60 years, whole days: still about 60 bars however long the window.
        return round > 0 ? round : (span / target / AuditTime.DayMs + 1) * AuditTime.DayMs;
    }

    /// <summary>The start of every bucket of the window, aligned on the width (in UTC).</summary>
    public static IEnumerable<long> Starts(long fromMs, long toMs, long width)
    {
        for (var start = fromMs / width * width; start < toMs; start += width) yield return start;
    }
}
