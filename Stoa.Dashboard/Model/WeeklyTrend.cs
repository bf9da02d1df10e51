using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

public sealed record SecurityComparison(string Type, long ThisWeek, long WeekBefore)
{
    public long Change => ThisWeek - WeekBefore;
}

/// <summary>The week to a day (UTC calendar days, the same days as the quota API), and its security counts against the week before.</summary>
public sealed record WeeklyTrend(IReadOnlyList<DailyVolume> Days, IReadOnlyList<SecurityComparison> Security)
{
    public static readonly string[] ComparedTypes = ["auth_failed", "rate_limit_exceeded", "key_rotated", "key_revoked", "consumer_suspended", "admin_action", "policy_applied"];

    /// <param name="endMs">The week ends with the UTC day holding this instant.</param>
    public static async Task<WeeklyTrend> LoadAsync(AuditDbContext db, AuditScope scope, long endMs, CancellationToken ct = default)
    {
        var weekStart = endMs / AuditTime.DayMs * AuditTime.DayMs - 6 * AuditTime.DayMs;
        var weekEnd = weekStart + 7 * AuditTime.DayMs;
        var stats = await db.DailyAsync(scope, weekStart, weekEnd, null, ct, withTopConsumers: false);

        var previousStart = weekStart - 7 * AuditTime.DayMs;
        var security = await db.Security(scope).InWindow(new TimeWindow(previousStart, weekEnd))
            .GroupBy(s => s.Type)
            .Select(g => new { Type = g.Key, ThisWeek = g.LongCount(s => s.TimestampMs >= weekStart), Before = g.LongCount(s => s.TimestampMs < weekStart) })
            .ToListAsync(ct);
        var comparison = ComparedTypes
            .Select(t => security.FirstOrDefault(s => s.Type == t) is { } s ? new SecurityComparison(t, s.ThisWeek, s.Before) : new SecurityComparison(t, 0, 0))
            .ToList();
        return new WeeklyTrend(stats.Daily, comparison);
    }
}
