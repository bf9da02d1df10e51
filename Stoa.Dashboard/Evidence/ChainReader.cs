using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Evidence;

/// <summary>An event with the chain head the store keeps after it (null for a row stored before the chain).</summary>
public sealed record ChainedEvent(AuditEvent Event, byte[]? Head);

/// <summary>
/// A tenant's events of every kind in seq order, with their stored heads: the three tables read
/// by their (tenant, seq) indexes and merged, one row of each in memory at a time.
/// </summary>
public static class ChainReader
{
    public static async IAsyncEnumerable<ChainedEvent> ReadAsync(IDbContextFactory<AuditDbContext> factory, string tenantId,
        long fromSeq, long toSeq, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        // One context a kind: each reads its own table while the others wait at their next row.
        await using var requests = await factory.CreateDbContextAsync(ct);
        await using var security = await factory.CreateDbContextAsync(ct);
        await using var business = await factory.CreateDbContextAsync(ct);
        var sources = new[]
        {
            Read(requests.Requests, tenantId, fromSeq, toSeq).GetAsyncEnumerator(ct),
            Read(security.SecurityEvents, tenantId, fromSeq, toSeq).GetAsyncEnumerator(ct),
            Read(business.BusinessEvents, tenantId, fromSeq, toSeq).GetAsyncEnumerator(ct),
        };
        try
        {
            var current = new ChainedEvent?[sources.Length];
            for (var i = 0; i < sources.Length; i++) current[i] = await sources[i].MoveNextAsync() ? sources[i].Current : null;
            while (true)
            {
                var next = -1;
                for (var i = 0; i < current.Length; i++)
                    if (current[i] is { } c && (next < 0 || c.Event.Seq < current[next]!.Event.Seq)) next = i;
                if (next < 0) yield break;
                yield return current[next]!;
                current[next] = await sources[next].MoveNextAsync() ? sources[next].Current : null;
            }
        }
        finally
        {
            foreach (var source in sources) await source.DisposeAsync();
        }
    }

    private static IAsyncEnumerable<ChainedEvent> Read<T>(DbSet<T> table, string tenantId, long fromSeq, long toSeq) where T : AuditEvent =>
        table.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Seq >= fromSeq && e.Seq <= toSeq)
            .OrderBy(e => e.Seq)
            .Select(e => new ChainedEvent(e, EF.Property<byte[]?>(e, HashChain.Property)))
            .AsAsyncEnumerable();

    /// <summary>The first and last seq of the tenant's events (of every kind) with times in the window, or null when it has none.</summary>
    public static async Task<(long First, long Last)?> SeqRangeAsync(IDbContextFactory<AuditDbContext> factory, string tenantId,
        TimeWindow window, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var ranges = new[]
        {
            await RangeAsync(db.Requests.InWindow(window), tenantId, ct),
            await RangeAsync(db.SecurityEvents.InWindow(window), tenantId, ct),
            await RangeAsync(db.BusinessEvents.InWindow(window), tenantId, ct),
        }.Where(r => r is not null).Select(r => r!.Value).ToList();
        return ranges.Count == 0 ? null : (ranges.Min(r => r.First), ranges.Max(r => r.Last));
    }

    private static async Task<(long First, long Last)?> RangeAsync<T>(IQueryable<T> events, string tenantId, CancellationToken ct) where T : AuditEvent
    {
        var mine = events.Where(e => e.TenantId == tenantId);
        var first = await mine.MinAsync(e => (long?)e.Seq, ct);
        return first is null ? null : (first.Value, await mine.MaxAsync(e => e.Seq, ct));
    }

    /// <summary>The head stored with this seq (the genesis head for 0), or null when there is no such event.</summary>
    public static async Task<byte[]?> HeadAtAsync(IDbContextFactory<AuditDbContext> factory, string tenantId, long seq, CancellationToken ct)
    {
        if (seq <= 0) return HashChain.Genesis;
        await foreach (var e in ReadAsync(factory, tenantId, seq, seq, ct)) return e.Head;
        return null;
    }
}
