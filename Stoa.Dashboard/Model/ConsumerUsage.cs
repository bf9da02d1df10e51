using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>
/// One consumer's methods, paths, latencies and keys over a window, counted exactly in one pass over
/// its rows. The rows are read from the index that covers them (see AuditDbContext), and a busy
/// consumer's two weeks are tens of thousands of them, so reading them is CPU-bound: the window is
/// read in two halves at once, on two connections, and the counts are added up.
/// </summary>
public sealed class ConsumerUsage
{
    public Dictionary<string, long> Methods { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Paths { get; } = new(StringComparer.Ordinal);
    public Dictionary<long, long> Latencies { get; } = [];
    public SortedSet<string> Keys { get; } = new(StringComparer.Ordinal);

    public static async Task<ConsumerUsage> CountAsync(AuditDbContext db, AuditScope scope, string consumerId, long fromMs, long toMs,
        CancellationToken ct)
    {
        if (fromMs >= toMs) return new ConsumerUsage();
        var middle = fromMs + (toMs - fromMs) / 2;
        var halves = await Task.WhenAll(
            Task.Run(() => CountHalf(db, scope, consumerId, fromMs, middle, ct), ct),
            Task.Run(() => CountHalf(db, scope, consumerId, middle, toMs, ct), ct));
        return halves[0].Add(halves[1]);
    }

    private static ConsumerUsage CountHalf(AuditDbContext store, AuditScope scope, string consumerId,
        long fromMs, long toMs, CancellationToken ct)
    {
        using var db = store.Twin();
        var rows = db.Requests(scope).Where(r => r.ConsumerId == consumerId).InWindow(new TimeWindow(fromMs, toMs))
            .Select(r => new UsageRow(r.Method, r.LatencyMs, r.KeyId, r.Path));
        return Count(rows.AsEnumerable(), ct);
    }

    private sealed record UsageRow(string Method, long LatencyMs, string? KeyId, string Path);

    // Optimised from the first call: left to tiered compilation, the first few profiles a server
    // shows would run this loop unoptimised, at twice the time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ConsumerUsage Count(IEnumerable<UsageRow> rows, CancellationToken ct)
    {
        var usage = new ConsumerUsage();
        foreach (var row in rows)
        {
            Increment(usage.Methods, row.Method, 1);
            Increment(usage.Paths, row.Path, 1);
            Increment(usage.Latencies, row.LatencyMs, 1);
            if (row.KeyId is not null) usage.Keys.Add(row.KeyId);
        }
        ct.ThrowIfCancellationRequested();
        return usage;
    }

    private ConsumerUsage Add(ConsumerUsage other)
    {
        foreach (var (method, count) in other.Methods) Increment(Methods, method, count);
        foreach (var (path, count) in other.Paths) Increment(Paths, path, count);
        foreach (var (latency, count) in other.Latencies) Increment(Latencies, latency, count);
        Keys.UnionWith(other.Keys);
        return this;
    }

    private static void Increment<TKey>(Dictionary<TKey, long> counts, TKey key, long by) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + by;
}
