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
/// Finds runaway jobs exactly, from the store: the consumers whose requests in the window could
/// hold such a stretch (counted from the rollups), then each of those consumers' request times in
/// order, read from its (tenant, consumer, time) index, split at every pause. Requests refused
/// authentication (401, 403) do not count: a job runs with valid credentials, and guesses at a key
/// are the brute-force finding of the security page, not a cost.
/// </summary>
public static class RunawayJobs
{
    public static async Task<IReadOnlyList<RunawayEpisode>> FindAsync(AuditDbContext db, AuditScope scope, TimeWindow window,
        RunawayOptions options, CancellationToken ct = default)
    {
        var (from, to) = (window.FromMs ?? 0, window.ToMs ?? long.MaxValue);
        var minRequests = (long)Math.Ceiling(options.MinRequestsPerMinute * options.MinHours * 60);
        var counts = await RollupQueries.ByConsumerAndStatusAsync(db, scope, from, to, ct: ct);
        var candidates = counts.Where(c => c.StatusCode is not (401 or 403)).GroupBy(c => c.ConsumerId)
            .Select(g => (Id: g.Key, Name: g.Select(c => c.ConsumerName).Max(StringComparer.Ordinal)!, Requests: g.Sum(c => c.Requests)))
            .Where(c => c.Requests >= minRequests)
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToList();

        var maxPause = (long)(options.MaxPauseMinutes * 60_000);
        var minLength = (long)(options.MinHours * 3_600_000);
        var episodes = new List<RunawayEpisode>();
        foreach (var (id, name, _) in candidates)
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
}
