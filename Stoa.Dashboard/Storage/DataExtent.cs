using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// Long windows cut to the data there is: a window of years (<c>from=0001-01-01</c>) is read, charted
/// and listed day by day only over the days that hold events, so no answer grows with the
/// length of the window, only with the data.
/// </summary>
public static class DataExtent
{
    /// <summary>Windows up to this length are kept as asked, empty days and all (a month of quota rows is a month).</summary>
    public const long MaxUnclampedMs = 366 * AuditTime.DayMs;

    /// <summary>The window, or for a longer one, its whole UTC days from the first to the last that hold one of <paramref name="events"/>.</summary>
    public static async Task<(long FromMs, long ToMs)> ClampAsync<T>(IQueryable<T> events, long fromMs, long toMs, CancellationToken ct)
        where T : AuditEvent
    {
        if (toMs - fromMs <= MaxUnclampedMs) return (fromMs, toMs);
        var inWindow = events.InWindow(new TimeWindow(fromMs, toMs));
        var first = await inWindow.MinAsync(e => (long?)e.TimestampMs, ct);
        if (first is null) return (fromMs, fromMs);
        var last = await inWindow.MaxAsync(e => (long?)e.TimestampMs, ct) ?? first.Value;
        return (Math.Max(fromMs, first.Value / AuditTime.DayMs * AuditTime.DayMs), Math.Min(toMs, (last / AuditTime.DayMs + 1) * AuditTime.DayMs));
    }
}
