using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

public sealed record DailyVolume(string Date, long Requests, long Errors, long RateLimited, long BytesIn, long BytesOut, long ServerErrors = 0)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}

public sealed record ConsumerVolume(string ConsumerId, string ConsumerName, long Requests);

public sealed record QuotaStats(long TotalRequests, List<DailyVolume> Daily, List<ConsumerVolume> TopConsumers);

/// <summary>Daily volume for cost questions, computed in SQL over the caller's scope.</summary>
public static class QuotaQueries
{

    /// <param name="fromMs">Start of the first day row (UTC midnight).</param>
    /// <param name="toMs">End of the window (exclusive).</param>
    /// <param name="withTopConsumers">The ten busiest consumers too (the quota API), or the days alone (the trend).</param>
    /// <remarks>A window over a year long lists the days from the first to the last that hold requests (<see cref="DataExtent"/>).</remarks>
    public static async Task<QuotaStats> DailyAsync(this AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        string? consumerId, CancellationToken ct, bool withTopConsumers = true)
    {
        var requests = consumerId is null ? db.Requests(scope) : db.Requests(scope).Where(r => r.ConsumerId == consumerId);
        (fromMs, toMs) = await DataExtent.ClampAsync(requests, fromMs, toMs, ct);
        var byDayStatus = await RollupQueries.ByBucketAndStatusAsync(db, scope, fromMs, toMs, AuditTime.DayMs, consumerId, ct);
        var byDay = byDayStatus.GroupBy(b => b.BucketMs / AuditTime.DayMs).ToDictionary(g => g.Key, g => new
        {
            Requests = g.Sum(b => b.Requests),
            Errors = g.Where(b => b.StatusCode >= 400).Sum(b => b.Requests),
            RateLimited = g.Where(b => b.StatusCode == 429).Sum(b => b.Requests),
            ServerErrors = g.Where(b => b.StatusCode >= 500).Sum(b => b.Requests),
            BytesIn = g.Select(b => b.BytesIn).SumSaturating(),
            BytesOut = g.Select(b => b.BytesOut).SumSaturating(),
        });

        // Every day of the window gets a row, zero when nothing happened: a gap is an answer too.
        var daily = new List<DailyVolume>();
        for (var day = fromMs / AuditTime.DayMs; day * AuditTime.DayMs < toMs; day++)
        {
            var date = DateTimeOffset.FromUnixTimeMilliseconds(day * AuditTime.DayMs).ToString("yyyy-MM-dd");
            daily.Add(byDay.TryGetValue(day, out var d)
                ? new DailyVolume(date, d.Requests, d.Errors, d.RateLimited, d.BytesIn, d.BytesOut, d.ServerErrors)
                : new DailyVolume(date, 0, 0, 0, 0, 0));
        }

        var top = !withTopConsumers ? [] : (await RollupQueries.ByConsumerAndStatusAsync(db, scope, fromMs, toMs, consumerId, ct))
            .GroupBy(c => c.ConsumerId)
            .Select(g => new ConsumerVolume(g.Key, g.Select(c => c.ConsumerName).Max(StringComparer.Ordinal)!, g.Sum(c => c.Requests)))
            .OrderByDescending(c => c.Requests).ThenBy(c => c.ConsumerId, StringComparer.Ordinal)
            .Take(10)
            .ToList();

        return new QuotaStats(daily.Sum(d => d.Requests), daily, top);
    }
}
