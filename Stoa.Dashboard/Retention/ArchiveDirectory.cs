using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>
/// Where archive files live (<c>Stoa:Retention:ArchiveDirectory</c>, by default <c>archive/</c>
/// beside the store), and the reads every user of the archive shares: a file's lines, its events,
/// and the leaves of a seq range for the chain.
/// </summary>
public sealed class ArchiveDirectory(string root)
{
    public string Root { get; } = root;

    public string PathOf(ArchiveFile file) => Path.Combine(Root, file.Path);

    /// <summary>The tenant's files that are still on disk (not purged).</summary>
    public static IQueryable<ArchiveFile> Kept(AuditDbContext db, string tenantId) =>
        db.ArchiveFiles.AsNoTracking().Where(a => a.TenantId == tenantId && a.PurgedAtMs == null);

    /// <summary>
    /// The chain leaves of the tenant's archived events with seqs in [<paramref name="fromSeq"/>,
    /// <paramref name="toSeq"/>], by seq.
    /// </summary>
    public async Task<SortedList<long, byte[]>> LeavesAsync(AuditDbContext db, string tenantId, long fromSeq, long toSeq, CancellationToken ct)
    {
        var leaves = new SortedList<long, byte[]>();
        await foreach (var line in InRangeAsync(db, tenantId, fromSeq, toSeq, ct))
            leaves[line.Seq] = Evidence.HashChain.Leaf(line.Canonical);
        return leaves;
    }

    /// <summary>The archived events with seqs in the range, by seq, at most <paramref name="max"/> (null beyond it).</summary>
    public async Task<List<ArchiveLine>?> LinesAsync(AuditDbContext db, string tenantId, long fromSeq, long toSeq, int max, CancellationToken ct)
    {
        var lines = new List<ArchiveLine>();
        await foreach (var line in InRangeAsync(db, tenantId, fromSeq, toSeq, ct))
        {
            if (lines.Count == max) return null;
            lines.Add(line);
        }
        lines.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return lines;
    }

    /// <summary>
    /// The lines with seqs in the range, in file order: every kept file whose seq range meets it is
    /// read (a file is in time order, so all of it), and only the range's lines are given.
    /// </summary>
    private async IAsyncEnumerable<ArchiveLine> InRangeAsync(AuditDbContext db, string tenantId, long fromSeq, long toSeq,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var files = await Kept(db, tenantId).Where(a => a.FirstSeq <= toSeq && a.LastSeq >= fromSeq).ToListAsync(ct);
        foreach (var file in files)
            await foreach (var line in ArchiveFormat.ReadAsync(PathOf(file), ct))
                if (line.Seq >= fromSeq && line.Seq <= toSeq)
                    yield return line;
    }
}
