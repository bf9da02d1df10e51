namespace Stoa.Dashboard.Model;

/// <summary>Picks a readable bucket width for a chart over a window: about 60 bars, on round units.</summary>
public static class Buckets
{
    private static readonly long[] Widths =
    [
        1_000, 5_000, 10_000, 30_000, 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
        3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 24 * 3_600_000,
    ];

    public static long WidthFor(long fromMs, long toMs, int target = 60)
    {
        var span = Math.Max(1, toMs - fromMs);
        return Widths.FirstOrDefault(w => span / w <= target, Widths[^1]);
    }

    /// <summary>The start of every bucket of the window, aligned on the width (in UTC).</summary>
    public static IEnumerable<long> Starts(long fromMs, long toMs, long width)
    {
        for (var start = fromMs / width * width; start < toMs; start += width) yield return start;
    }
}
