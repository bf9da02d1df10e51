using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Export;

/// <summary>The seq numbers an export's rows span, and how many there are (First and Last are 0 when none).</summary>
public sealed record SeqRange(long Count, long First, long Last);

/// <summary>
/// One export's rows (a layer, a window, filters, a scope), read as each file needs them: in time
/// order for the CSV/XLSX a person reads, in seq order for the chain proof, and their seq range.
/// A bundle reads them several times, so it caps every read at the last seq it saw first
/// (<c>upToSeq</c>): events arriving meanwhile are in none of its files. An export that includes
/// archived days reads those from the archive files, merged in time order with the hot rows.
/// </summary>
public sealed record ExportRows(EventKind Kind,
    Func<AuditDbContext, bool, long, IAsyncEnumerable<AuditEvent>> InTimeOrder,
    Func<AuditDbContext, long, IAsyncEnumerable<AuditEvent>> InSeqOrder,
    Func<AuditDbContext, CancellationToken, Task<SeqRange>> RangeAsync)
{
    /// <param name="select">The export's rows of a table: its scope and filters, only <c>Where</c> (the archive runs them in memory).</param>
    /// <param name="archive">The archived days to include, oldest first only; null for the hot rows alone.</param>
    public static ExportRows Of<TRow>(Func<IQueryable<TRow>, IQueryable<TRow>> select, ArchiveRows? archive = null)
        where TRow : AuditEvent, IEventKind
    {
        IQueryable<TRow> Query(AuditDbContext db) => select(db.Set<TRow>());
        var include = archive is null ? null : ArchiveRows.Predicate(select);
        return new(TRow.ThisKind,
            (db, ascending, upToSeq) =>
            {
                var hot = UpTo(Query(db), upToSeq).InOrder(ascending).AsNoTracking().AsAsyncEnumerable();
                if (archive is null) return hot;
                // The hot rows' statement starts first: a day archived after it started is then in
                // both (and given once), never in neither.
                return SortedMerge.MergeAsync<AuditEvent>([hot, archive.ReadAsync(include!)], ArchiveRows.TimeOrder);
            },
            (db, upToSeq) => UpTo(Query(db), upToSeq).OrderBy(e => e.Seq).AsNoTracking().AsAsyncEnumerable(),
            async (db, ct) =>
            {
                var rows = Query(db);
                var count = await rows.LongCountAsync(ct);
                return count == 0 ? new SeqRange(0, 0, 0)
                    : new SeqRange(count, await rows.MinAsync(e => e.Seq, ct), await rows.MaxAsync(e => e.Seq, ct));
            });
    }

    private static IQueryable<TRow> UpTo<TRow>(IQueryable<TRow> rows, long upToSeq) where TRow : AuditEvent =>
        upToSeq == long.MaxValue ? rows : rows.Where(e => e.Seq <= upToSeq);
}
