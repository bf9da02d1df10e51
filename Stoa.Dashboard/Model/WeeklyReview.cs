using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

public sealed record NewConsumer(string ConsumerId, string ConsumerName, long FirstDayMs, long Requests);

/// <summary>
/// The article's weekly review of one tenant's week (Monday 00:00 UTC to the next Monday): security
/// counts against the week before, errors by day, the consumers seen for the first time, the
/// consumers over the error threshold, the runaway jobs and the brute-force targets, and who
/// reviewed it. Every figure is counted in the store over the whole week.
/// </summary>
public sealed record WeeklyReview(string TenantId, long WeekStartMs, WeeklyTrend Trend, IReadOnlyList<NewConsumer> NewConsumers,
    IReadOnlyList<ConsumerTriage> InTrouble, IReadOnlyList<RunawayEpisode> Runaways, IReadOnlyList<TypeCount> BruteForce,
    IReadOnlyList<WeeklyReviewMark> Marks)
{
    public const long WeekMs = 7 * AuditTime.DayMs;

    public long WeekEndMs => WeekStartMs + WeekMs;

    /// <summary>The Monday 00:00 UTC that starts the week holding this instant.</summary>
    public static long WeekStart(long ms)
    {
        var day = ms / AuditTime.DayMs * AuditTime.DayMs;
        var dayOfWeek = (int)DateTimeOffset.FromUnixTimeMilliseconds(day).DayOfWeek; // Sunday 0
        return day - (dayOfWeek + 6) % 7 * AuditTime.DayMs;
    }

    /// <summary>The last week that has ended.</summary>
    public static long LastCompleteWeek(long nowMs) => WeekStart(nowMs) - WeekMs;

    public static async Task<WeeklyReview> LoadAsync(AuditDbContext db, AuditScope scope, long weekStartMs, DashboardOptions options,
        CancellationToken ct = default)
    {
        var week = new TimeWindow(weekStartMs, weekStartMs + WeekMs);
        var trend = await WeeklyTrend.LoadAsync(db, scope, weekStartMs + WeekMs - 1, ct);
        var triage = await Triage.LoadAsync(db, scope, week, options.TroubleThreshold, ct);

        // First seen: the first daily rollup of each consumer that has one this week.
        var firstDays = await db.Rollups(scope).Where(r => r.SpanMs == AuditTime.DayMs)
            .GroupBy(r => r.ConsumerId).Select(g => new { ConsumerId = g.Key, First = g.Min(r => r.BucketMs) })
            .Where(c => c.First >= weekStartMs && c.First < weekStartMs + WeekMs).ToListAsync(ct);
        var weekCounts = await RollupQueries.ByConsumerAndStatusAsync(db, scope, week.FromMs!.Value, week.ToMs!.Value, ct: ct);
        var newConsumers = firstDays.Select(c =>
            {
                var rows = weekCounts.Where(w => w.ConsumerId == c.ConsumerId).ToList();
                return new NewConsumer(c.ConsumerId, rows.Select(r => r.ConsumerName).DefaultIfEmpty(c.ConsumerId).Max(StringComparer.Ordinal)!, c.First, rows.Sum(r => r.Requests));
            })
            .OrderBy(c => c.FirstDayMs).ThenBy(c => c.ConsumerId, StringComparer.Ordinal).ToList();

        var runaways = await RunawayJobs.FindAsync(db, scope, week, options.Runaway, ct);
        var threshold = options.BruteForceThreshold;
        var bruteForce = await db.Security(scope).InWindow(week).Where(s => s.Type == "auth_failed")
            .GroupBy(s => s.Target).Where(g => g.LongCount() >= threshold).Select(g => new TypeCount(g.Key, g.LongCount())).ToListAsync(ct);
        var marks = await db.WeeklyReviews.AsNoTracking().Where(m => m.TenantId == scope.TenantId && m.WeekStartMs == weekStartMs)
            .OrderBy(m => m.ReviewedAtMs).ToListAsync(ct);
        return new WeeklyReview(scope.TenantId, weekStartMs, trend, newConsumers, triage.InTrouble, runaways,
            bruteForce.OrderByDescending(b => b.Count).ToList(), marks);
    }

    /// <summary>Records that someone reviewed the tenant's week (the caller records the <c>admin_action</c>).</summary>
    public static async Task MarkReviewedAsync(AuditDbContext db, string tenantId, long weekStartMs, string reviewer, long nowMs,
        CancellationToken ct = default)
    {
        db.WeeklyReviews.Add(new WeeklyReviewMark { TenantId = tenantId, WeekStartMs = weekStartMs, ReviewedBy = reviewer, ReviewedAtMs = nowMs });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Whether the last complete week of the tenant is reviewed (the triage page's reminder).</summary>
    public static Task<bool> LastWeekReviewedAsync(AuditDbContext db, string tenantId, long nowMs, CancellationToken ct = default)
    {
        var week = LastCompleteWeek(nowMs);
        return db.WeeklyReviews.AnyAsync(m => m.TenantId == tenantId && m.WeekStartMs == week, ct);
    }
}
