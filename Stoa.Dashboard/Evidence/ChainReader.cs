using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Evidence;

/// <summary>An event with the chain head the store keeps after it (null for a row stored before the chain).</summary>
public sealed record ChainedEvent(AuditEvent Event, byte[]? Head);

/// <summary>One link of the chain: its seq and leaf, and for an event still in the store the event and the head stored with it (null for an archived one).</summary>
public sealed record ChainLink(long Seq, byte[] Leaf, byte[]? Head, AuditEvent? Event);

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

    /// <summary>Seqs whose archived leaves one step of <see cref="LinksAsync"/> holds (32 bytes each).</summary>
    public const long LinkChunk = 262_144;

    /// <summary>
    /// The links of the seq range, hot or archived, in seq order. Without archive files in the range
    /// this is <see cref="ReadAsync"/>; with them, the range is walked a chunk at a time, each
    /// chunk's archived leaves read from the files that reach into it and merged with the hot rows.
    /// </summary>
    public static async IAsyncEnumerable<ChainLink> LinksAsync(IDbContextFactory<AuditDbContext> factory, ArchiveDirectory archive,
        string tenantId, long fromSeq, long toSeq, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var lastSeq = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => t.LastSeq).FirstOrDefaultAsync(ct);
        toSeq = Math.Min(toSeq, lastSeq);
        if (!await ArchiveDirectory.Kept(db, tenantId).AnyAsync(a => a.FirstSeq <= toSeq && a.LastSeq >= fromSeq, ct))
        {
            await foreach (var e in ReadAsync(factory, tenantId, fromSeq, toSeq, ct))
                yield return new ChainLink(e.Event.Seq, HashChain.Leaf(e.Event), e.Head, e.Event);
            yield break;
        }
        for (var from = fromSeq; from <= toSeq; from += LinkChunk)
        {
            var to = Math.Min(toSeq, from + LinkChunk - 1);
            var leaves = await archive.LeavesAsync(db, tenantId, from, to, ct);
            var next = 0;
            await foreach (var e in ReadAsync(factory, tenantId, from, to, ct))
            {
                for (; next < leaves.Count && leaves.Keys[next] < e.Event.Seq; next++)
                    yield return new ChainLink(leaves.Keys[next], leaves.Values[next], null, null);
                yield return new ChainLink(e.Event.Seq, HashChain.Leaf(e.Event), e.Head, e.Event);
            }
            for (; next < leaves.Count; next++)
                yield return new ChainLink(leaves.Keys[next], leaves.Values[next], null, null);
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

    /// <summary>
    /// The chain's head at this seq (the genesis head for 0, the chain's base where its oldest
    /// events were purged): the head stored with the event while it is hot; for an archived one,
    /// walked from the nearest head known below it. Null when the seq is missing or purged.
    /// </summary>
    public static async Task<byte[]?> HeadAtAsync(IDbContextFactory<AuditDbContext> factory, ArchiveDirectory archive, string tenantId,
        long seq, CancellationToken ct)
    {
        if (seq <= 0) return HashChain.Genesis;
        await foreach (var e in ReadAsync(factory, tenantId, seq, seq, ct)) return e.Head;

        await using var db = await factory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId, ct);
        if (tenant is null || seq < tenant.ChainBaseSeq) return null;
        (long Seq, byte[] Head) start = tenant.ChainBaseSeq == 0 ? (0, HashChain.Genesis) : (tenant.ChainBaseSeq, tenant.ChainBaseHead!);
        if (start.Seq == seq) return start.Head;
        var file = await ArchiveDirectory.Kept(db, tenantId).Where(a => a.LastSeq <= seq).OrderByDescending(a => a.LastSeq).FirstOrDefaultAsync(ct);
        if (file is not null && file.LastSeq > start.Seq) start = (file.LastSeq, file.LastHead);
        foreach (var hot in new[] { await LastBelowAsync(db.Requests, tenantId, seq, ct), await LastBelowAsync(db.SecurityEvents, tenantId, seq, ct),
            await LastBelowAsync(db.BusinessEvents, tenantId, seq, ct) })
            if (hot is { Head: { } head } && hot.Event.Seq > start.Seq) start = (hot.Event.Seq, head);

        var walked = start.Head;
        var expected = start.Seq + 1;
        await foreach (var link in LinksAsync(factory, archive, tenantId, expected, seq, ct))
        {
            if (link.Seq != expected++) return null;
            walked = HashChain.Next(walked, link.Leaf, link.Seq);
        }
        return expected == seq + 1 ? walked : null;
    }

    private static async Task<ChainedEvent?> LastBelowAsync<T>(DbSet<T> table, string tenantId, long seq, CancellationToken ct) where T : AuditEvent =>
        await table.AsNoTracking().Where(e => e.TenantId == tenantId && e.Seq < seq).OrderByDescending(e => e.Seq)
            .Select(e => new ChainedEvent(e, EF.Property<byte[]?>(e, HashChain.Property))).FirstOrDefaultAsync(ct);
}
