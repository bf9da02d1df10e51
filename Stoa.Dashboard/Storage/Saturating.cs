namespace Stoa.Dashboard.Storage;

/// <summary>
/// Sums of bytes that stop at the largest long instead of overflowing: ingest bounds each event (1
/// TiB), but a tenant that sends millions of such claims must get a very large number, not a 500.
/// </summary>
public static class Saturating
{
    /// <summary>A sum the store computed as a REAL (SQLite's integer SUM fails on overflow), as a long.</summary>
    public static long ToLong(double value) => value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)value;

    public static long SumSaturating(this IEnumerable<long> values)
    {
        long total = 0;
        foreach (var value in values)
            total = value > 0 && total > long.MaxValue - value ? long.MaxValue
                : value < 0 && total < long.MinValue - value ? long.MinValue
                : total + value;
        return total;
    }
}
