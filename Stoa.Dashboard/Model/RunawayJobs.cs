using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>
/// A stretch of one consumer's traffic that looks like a job nobody stopped: at least
/// <see cref="RunawayOptions.MinHours"/> long, at least <see cref="RunawayOptions.MinRequestsPerMinute"/>
/// in every ten minutes of it (sustained, not a burst inside ordinary traffic), and no pause longer than
/// <see cref="RunawayOptions.MaxPauseMinutes"/> between two requests.
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
    private const long SliceMs = 10 * 60_000;

    public static async Task<IReadOnlyList<RunawayEpisode>> FindAsync(AuditDbContext db, AuditScope scope, TimeWindow window,
        RunawayOptions options, CancellationToken ct = default)
    {
        var (from, to) = (window.FromMs ?? 0, window.ToMs ?? long.MaxValue);
        var candidates = await CandidatesAsync(db, scope, from, to, options, ct);

        var maxPause = (long)(options.MaxPauseMinutes * 60_000);
        var minLength = (long)(options.MinHours * 3_600_000);
        var episodes = new List<RunawayEpisode>();
        var perSlice = (long)Math.Ceiling(options.MinRequestsPerMinute * SliceMs / 60_000.0);
        foreach (var (id, name) in candidates)
        {
            // A run of consecutive ten-minute slices, each with at least perSlice requests, no pause over maxPause inside.
            long runStart = -1, runLast = -1, runCount = 0, longest = 0;
            // The slice being read: its index, first and last request, count and longest inner pause.
            long slice = long.MinValue, sliceFirst = 0, sliceLast = 0, sliceCount = 0, sliceLongest = 0;
            void CloseRun()
            {
                if (runStart >= 0 && runLast - runStart >= minLength)
                    episodes.Add(new RunawayEpisode(id, name, runStart, runLast, runCount, longest));
                runStart = -1;
            }
            void EndSlice()
            {
                if (slice == long.MinValue) return;
                var dense = sliceCount >= perSlice && sliceLongest <= maxPause;
                if (!dense) { CloseRun(); return; }
                var follows = runStart >= 0 && sliceFirst - runLast <= maxPause && sliceFirst / SliceMs - runLast / SliceMs == 1;
                if (!follows)
                {
                    CloseRun();
                    (runStart, runCount, longest) = (sliceFirst, 0, 0);
                }
                else longest = Math.Max(longest, sliceFirst - runLast);
                (runLast, runCount, longest) = (sliceLast, runCount + sliceCount, Math.Max(longest, sliceLongest));
            }
            await foreach (var at in db.Requests(scope)
                .Where(r => r.ConsumerId == id && r.TimestampMs >= from && r.TimestampMs < to && r.StatusCode != 401 && r.StatusCode != 403)
                .OrderBy(r => r.TimestampMs).Select(r => r.TimestampMs).AsAsyncEnumerable().WithCancellation(ct))
            {
                if (at / SliceMs != slice)
                {
                    EndSlice();
                    (slice, sliceFirst, sliceCount, sliceLongest) = (at / SliceMs, at, 0, 0);
                }
                else sliceLongest = Math.Max(sliceLongest, at - sliceLast);
                sliceLast = at;
                sliceCount++;
            }
            EndSlice();
            CloseRun();
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
