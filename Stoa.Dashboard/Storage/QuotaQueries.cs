using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Model;

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
    private const long DayMs = 86_400_000;

    /// <param name="fromMs">Start of the first day row (UTC midnight).</param>
    /// <param name="toMs">End of the window (exclusive).</param>
    public static async Task<QuotaStats> DailyAsync(this AuditDbContext db, AuditScope scope, long fromMs, long toMs,
        string? consumerId, CancellationToken ct)
    {
        var query = db.Requests(scope).InWindow(new TimeWindow(fromMs, toMs));
        if (consumerId is not null) query = query.Where(r => r.ConsumerId == consumerId);

        var byDay = await query
            .GroupBy(r => r.TimestampMs / DayMs)
            .Select(g => new
            {
                Day = g.Key,
                Requests = g.LongCount(),
                Errors = g.LongCount(r => r.StatusCode >= 400),
                RateLimited = g.LongCount(r => r.StatusCode == 429),
                ServerErrors = g.LongCount(r => r.StatusCode >= 500),
                BytesIn = g.Sum(r => r.RequestSizeBytes),
                BytesOut = g.Sum(r => r.ResponseSizeBytes),
            })
            .ToDictionaryAsync(d => d.Day, ct);

        // Every day of the window gets a row, zero when nothing happened: a gap is an answer too.
        var daily = new List<DailyVolume>();
        for (var day = fromMs / DayMs; day * DayMs < toMs; day++)
        {
            var date = DateTimeOffset.FromUnixTimeMilliseconds(day * DayMs).ToString("yyyy-MM-dd");
            daily.Add(byDay.TryGetValue(day, out var d)
                ? new DailyVolume(date, d.Requests, d.Errors, d.RateLimited, d.BytesIn, d.BytesOut, d.ServerErrors)
                : new DailyVolume(date, 0, 0, 0, 0, 0));
        }

        var top = await query
            .GroupBy(r => r.ConsumerId)
            .Select(g => new { ConsumerId = g.Key, ConsumerName = g.Max(r => r.ConsumerName), Requests = g.LongCount() })
            .OrderByDescending(c => c.Requests).ThenBy(c => c.ConsumerId)
            .Take(10)
            .ToListAsync(ct);

        return new QuotaStats(daily.Sum(d => d.Requests), daily,
            top.Select(c => new ConsumerVolume(c.ConsumerId, c.ConsumerName ?? c.ConsumerId, c.Requests)).ToList());
    }
}
