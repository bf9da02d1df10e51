using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>
/// A stretch of one consumer's traffic that looks like a job nobody stopped: at least
/// <see cref="RunawayOptions.MinHours"/> long, no pause longer than <see cref="RunawayOptions.MaxPauseMinutes"/>
/// between two requests, and at least <see cref="RunawayOptions.MinRequestsPerMinute"/> on average.
/// </summary>
public sealed record RunawayEpisode(string ConsumerId, string ConsumerName, long StartMs, long EndMs, long Requests, long LongestPauseMs)
{
    public double Hours => (EndMs - StartMs) / 3_600_000.0;
    public double PerMinute => Requests / Math.Max(1.0, (EndMs - StartMs) / 60_000.0);
}

/// <summary>
/// Finds runaway jobs exactly, from the store: the consumers whose hours in the window could hold
/// such a stretch (from the hourly rollups), then each of those consumers' request times in order,
/// read from its (tenant, consumer, time) index, split at every pause. Requests refused
/// authentication (401, 403) do not count: a job runs with valid credentials, and guesses at a key
/// are the brute-force finding of the security page, not a cost.
/// </summary>
public static class RunawayJobs
{
    public static async Task<IReadOnlyList<RunawayEpisode>> FindAsync(AuditDbContext db, AuditScope scope, TimeWindow window,
        RunawayOptions options, CancellationToken ct = default)
    {
        var (from, to) = (window.FromMs ?? 0, window.ToMs ?? long.MaxValue);
        var candidates = await CandidatesAsync(db, scope, from, to, options, ct);

        var maxPause = (long)(options.MaxPauseMinutes * 60_000);
        var minLength = (long)(options.MinHours * 3_600_000);
        var episodes = new List<RunawayEpisode>();
        foreach (var (id, name) in candidates)
        {
            long start = -1, last = -1, count = 0, longest = 0;
            void Close()
            {
                if (count > 1 && last - start >= minLength && count / Math.Max(1.0, (last - start) / 60_000.0) >= options.MinRequestsPerMinute)
                    episodes.Add(new RunawayEpisode(id, name, start, last, count, longest));
            }
            await foreach (var at in db.Requests(scope)
                .Where(r => r.ConsumerId == id && r.TimestampMs >= from && r.TimestampMs < to && r.StatusCode != 401 && r.StatusCode != 403)
                .OrderBy(r => r.TimestampMs).Select(r => r.TimestampMs).AsAsyncEnumerable().WithCancellation(ct))
            {
                if (start >= 0 && at - last > maxPause)
                {
                    Close();
                    start = -1;
                }
                if (start < 0) (start, count, longest) = (at, 0, 0);
                else longest = Math.Max(longest, at - last);
                last = at;
                count++;
            }
            if (start >= 0) Close();
        }
        return episodes.OrderByDescending(e => e.Requests).ToList();
    }

    /// <summary>
    /// The consumers that could hold such a stretch, from the hourly rollups: a stretch at least an
    /// hour long averaging R a minute holds some hour with at least 60·R requests, and any hour lies
    /// within two consecutive whole hours. So only a consumer with two consecutive hours summing to
    /// 60·R or more (refusals left out) has its request times read; the busy but steady ones do not.
    /// </summary>
    private static async Task<List<(string Id, string Name)>> CandidatesAsync(AuditDbContext db, AuditScope scope, long from, long to,
        RunawayOptions options, CancellationToken ct)
    {
        var perHour = (long)Math.Ceiling(options.MinRequestsPerMinute * 60);
        var (firstHour, lastHour) = (from / AuditTime.HourMs * AuditTime.HourMs, to == long.MaxValue ? long.MaxValue : to);
        var hours = await db.Rollups(scope)
            .Where(r => r.SpanMs == AuditTime.HourMs && r.BucketMs >= firstHour && r.BucketMs < lastHour && r.StatusCode != 401 && r.StatusCode != 403)
            .GroupBy(r => new { r.ConsumerId, r.BucketMs })
            .Select(g => new { g.Key.ConsumerId, g.Key.BucketMs, Requests = g.Sum(r => r.Requests), Name = g.Max(r => r.ConsumerName) })
            .ToListAsync(ct);
        return hours.GroupBy(h => h.ConsumerId)
            .Where(g =>
            {
                var byHour = g.ToDictionary(h => h.BucketMs, h => h.Requests);
                return byHour.Any(h => h.Value + byHour.GetValueOrDefault(h.Key + AuditTime.HourMs) >= perHour);
            })
            .Select(g => (g.Key, g.Select(h => h.Name).Max(StringComparer.Ordinal)!))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
    }
}
