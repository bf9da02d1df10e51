using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>A consumer on the spike's day against its own previous two weeks, and the daily cap that would have held it.</summary>
public sealed record SpikeConsumer(string ConsumerId, string ConsumerName, long OnSpikeDay, double UsualPerDay, long UsualMaxPerDay)
{
    /// <summary>How many times its usual day the spike's day was (its first day in the window counts as infinitely more).</summary>
    public double Ratio => UsualPerDay == 0 ? double.PositiveInfinity : OnSpikeDay / UsualPerDay;

    /// <summary>Half as much again as its busiest usual day, to two significant digits up: room for growth, none for a runaway.</summary>
    public long SuggestedDailyCap => RoundUp(Math.Max(100, (long)Math.Ceiling(UsualMaxPerDay * 1.5)));

    private static long RoundUp(long value)
    {
        var step = (long)Math.Pow(10, Math.Max(0, (int)Math.Floor(Math.Log10(value)) - 1));
        return (value + step - 1) / step * step;
    }
}

/// <summary>
/// The unexpected-cost playbook's figures for a window: the daily volume with the spike marked (the
/// day furthest above the window's median day), the consumers that made that day against their own
/// previous 14 days, the daily cap to suggest for each, and the runaway jobs of the window. All
/// counted from the rollups and the store, over the whole window.
/// </summary>
public sealed record CostSpike(IReadOnlyList<DailyVolume> Days, DailyVolume? SpikeDay, double SpikeRatio, IReadOnlyList<SpikeConsumer> Consumers,
    IReadOnlyList<RunawayEpisode> Runaways)
{
    /// <summary>The findings in a few lines, for an incident's timeline.</summary>
    public string Findings()
    {
        var lines = new List<string>();
        lines.Add(SpikeDay is { } day
            ? $"Spike on {day.Date}: {day.Requests:N0} requests, {SpikeRatio:0.0}× the window's median day."
            : "No day stands out in the window.");
        lines.AddRange(Consumers.Take(5).Select(c =>
            $"{c.ConsumerId} ({c.ConsumerName}): {c.OnSpikeDay:N0} that day against {c.UsualPerDay:N0} a usual day; suggested daily cap {c.SuggestedDailyCap:N0}."));
        lines.AddRange(Runaways.Select(r =>
            $"Runaway job: {r.ConsumerId}, {AuditTime.Print(r.StartMs)} to {AuditTime.Print(r.EndMs)}, {r.Requests:N0} requests ({r.PerMinute:0.0} a minute)."));
        return string.Join('\n', lines);
    }

    /// <summary>A day this far above the median day is a spike.</summary>
    public const double SpikeThreshold = 1.3;
    private const int UsualDays = 14;

    public static async Task<CostSpike> LoadAsync(AuditDbContext db, AuditScope scope, TimeWindow window, RunawayOptions runaway,
        CancellationToken ct = default)
    {
        var (from, to) = (window.FromMs!.Value, window.ToMs!.Value);
        var stats = await db.DailyAsync(scope, from / AuditTime.DayMs * AuditTime.DayMs, to, null, ct, withTopConsumers: false);
        var days = stats.Daily;
        var runaways = await RunawayJobs.FindAsync(db, scope, window, runaway, ct);
        if (days.Count < 3) return new CostSpike(days, null, 0, [], runaways);

        var median = days.Select(d => d.Requests).Order().ElementAt(days.Count / 2);
        var spike = days.MaxBy(d => d.Requests)!;
        var ratio = median == 0 ? double.PositiveInfinity : (double)spike.Requests / median;
        if (ratio < SpikeThreshold) return new CostSpike(days, null, ratio, [], runaways);

        var dayStart = DateTimeOffset.Parse(spike.Date + "T00:00:00Z").ToUnixTimeMilliseconds();
        var onDay = await RollupQueries.ByConsumerAndStatusAsync(db, scope, dayStart, dayStart + AuditTime.DayMs, ct: ct);
        var top = onDay.GroupBy(c => c.ConsumerId)
            .Select(g => (Id: g.Key, Name: g.Select(c => c.ConsumerName).Max(StringComparer.Ordinal)!, Requests: g.Sum(c => c.Requests)))
            .OrderByDescending(c => c.Requests).ThenBy(c => c.Id, StringComparer.Ordinal).Take(10).ToList();
        var usualFrom = dayStart - UsualDays * AuditTime.DayMs;
        var consumers = new List<SpikeConsumer>();
        foreach (var (id, name, requests) in top)
        {
            var daily = await RollupQueries.ByBucketAndStatusAsync(db, scope, usualFrom, dayStart, AuditTime.DayMs, id, ct);
            var perDay = daily.GroupBy(d => d.BucketMs).Select(g => g.Sum(d => d.Requests)).ToList();
            consumers.Add(new SpikeConsumer(id, name, requests, perDay.Sum() / (double)UsualDays, perDay.DefaultIfEmpty(0).Max()));
        }
        return new CostSpike(days, spike, ratio, consumers.OrderByDescending(c => c.OnSpikeDay - c.UsualPerDay).ToList(), runaways);
    }
}
