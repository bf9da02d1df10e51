using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Export;

/// <summary>The seq numbers an export's rows span, and how many there are (First and Last are 0 when none).</summary>
public sealed record SeqRange(long Count, long First, long Last);

/// <summary>
/// One export's rows (a layer, a window, filters, a scope), read as each file needs them: in time
/// order for the CSV/XLSX a person reads, in seq order for the chain proof, and their seq range.
/// A bundle reads them several times, so it caps every read at the last seq it saw first
/// (<c>upToSeq</c>): events arriving meanwhile are in none of its files.
/// </summary>
public sealed record ExportRows(EventKind Kind,
    Func<AuditDbContext, bool, long, IAsyncEnumerable<AuditEvent>> InTimeOrder,
    Func<AuditDbContext, long, IAsyncEnumerable<AuditEvent>> InSeqOrder,
    Func<AuditDbContext, CancellationToken, Task<SeqRange>> RangeAsync)
{
    public static ExportRows Of<TRow>(Func<AuditDbContext, IQueryable<TRow>> query) where TRow : AuditEvent, IEventKind => new(TRow.ThisKind,
        (db, ascending, upToSeq) => UpTo(query(db), upToSeq).InOrder(ascending).AsNoTracking().AsAsyncEnumerable(),
        (db, upToSeq) => UpTo(query(db), upToSeq).OrderBy(e => e.Seq).AsNoTracking().AsAsyncEnumerable(),
        async (db, ct) =>
        {
            var rows = query(db);
            var count = await rows.LongCountAsync(ct);
            return count == 0 ? new SeqRange(0, 0, 0)
                : new SeqRange(count, await rows.MinAsync(e => e.Seq, ct), await rows.MaxAsync(e => e.Seq, ct));
        });

    private static IQueryable<TRow> UpTo<TRow>(IQueryable<TRow> rows, long upToSeq) where TRow : AuditEvent =>
        upToSeq == long.MaxValue ? rows : rows.Where(e => e.Seq <= upToSeq);
}
