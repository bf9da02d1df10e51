using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>The archived days a window reaches into: the first and last, as the <c>Stoa-Archived-Days</c> header and the dashboard's banner print them.</summary>
public sealed record ArchivedDays(long FirstDayMs, long LastDayMs, long Rows)
{
    /// <summary><c>2025-01-01/2025-03-31</c> (both days included).</summary>
    public string Text => $"{AuditTime.PrintDay(FirstDayMs)}/{AuditTime.PrintDay(LastDayMs)}";

    public const string Header = "Stoa-Archived-Days";
}

/// <summary>
/// An export's rows from the archive: the tenant's files of one layer whose days meet the window,
/// read day by day (a day's parts merged), through the same filter expressions the store runs.
/// </summary>
public sealed record ArchiveRows(ArchiveDirectory Directory, IDbContextFactory<AuditDbContext> Store, string TenantId, string Layer, TimeWindow Window)
{
    /// <summary>Export order: time, then seq (within a tenant the store's id follows seq).</summary>
    public static readonly IComparer<AuditEvent> TimeOrder = Comparer<AuditEvent>.Create((a, b) =>
        a.TimestampMs != b.TimestampMs ? a.TimestampMs.CompareTo(b.TimestampMs) : a.Seq.CompareTo(b.Seq));

    public async IAsyncEnumerable<TRow> ReadAsync<TRow>(Func<TRow, bool> include,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default) where TRow : AuditEvent
    {
        List<ArchiveFile> files;
        await using (var db = await Store.CreateDbContextAsync(ct)) // its own: the hot rows are being read from the caller's
            files = await Overlapping(db, TenantId, Layer, Window).OrderBy(a => a.DayMs).ThenBy(a => a.Part).ToListAsync(ct);
        foreach (var day in files.GroupBy(f => f.DayMs))
        {
            var parts = day.Select(f => Events(f, ct)).ToList();
            await foreach (var e in SortedMerge.MergeAsync(parts, TimeOrder, ct))
                if (e is TRow row && Window.Contains(row.TimestampMs) && include(row))
                    yield return row;
        }
    }

    private async IAsyncEnumerable<AuditEvent> Events(ArchiveFile file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in ArchiveFormat.ReadAsync(Directory.PathOf(file), ct))
            yield return ArchiveFormat.ToEvent(TenantId, line);
    }

    /// <summary>Kept files of the layer (all layers when null) whose days meet the window.</summary>
    public static IQueryable<ArchiveFile> Overlapping(AuditDbContext db, string tenantId, string? layer, TimeWindow window)
    {
        var files = ArchiveDirectory.Kept(db, tenantId);
        if (layer is not null) files = files.Where(a => a.Layer == layer);
        if (window.FromMs is { } from) files = files.Where(a => a.DayMs + AuditTime.DayMs > from);
        if (window.ToMs is { } to) files = files.Where(a => a.DayMs < to);
        return files;
    }

    /// <summary>The archived days of the tenant (one layer, or all) that the window reaches into, or null when it reaches none.</summary>
    public static async Task<ArchivedDays?> DaysAsync(AuditDbContext db, string tenantId, string? layer, TimeWindow window, CancellationToken ct)
    {
        var days = await Overlapping(db, tenantId, layer, window)
            .GroupBy(a => 1)
            .Select(g => new { First = g.Min(a => a.DayMs), Last = g.Max(a => a.DayMs), Rows = g.Sum(a => a.Rows) })
            .FirstOrDefaultAsync(ct);
        return days is null ? null : new ArchivedDays(days.First, days.Last, days.Rows);
    }

    /// <summary>
    /// The in-memory form of an export's query: the conditions of its <c>Where</c> calls, compiled.
    /// An export's query only narrows the rows, so that is all of it.
    /// </summary>
    public static Func<TRow, bool> Predicate<TRow>(Func<IQueryable<TRow>, IQueryable<TRow>> select)
    {
        var expression = select(Array.Empty<TRow>().AsQueryable()).Expression;
        var tests = new List<Func<TRow, bool>>();
        while (expression is MethodCallExpression { Method.Name: nameof(Queryable.Where) } call)
        {
            tests.Add(((Expression<Func<TRow, bool>>)((UnaryExpression)call.Arguments[1]).Operand).Compile());
            expression = call.Arguments[0];
        }
        if (expression is not ConstantExpression)
            throw new NotSupportedException($"An export's query may only narrow the rows with Where, not {expression}.");
        return row => tests.TrueForAll(test => test(row));
    }
}

/// <summary>Merges streams that are each in order into one in that order (equal items from different streams: the first stream's only).</summary>
public static class SortedMerge
{
    public static async IAsyncEnumerable<T> MergeAsync<T>(IReadOnlyList<IAsyncEnumerable<T>> sources, IComparer<T> order,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var enumerators = sources.Select(s => s.GetAsyncEnumerator(ct)).ToList();
        try
        {
            // Started in the order given: the caller decides which source's snapshot is taken first.
            var current = new List<(T Item, int Source)>();
            for (var i = 0; i < enumerators.Count; i++)
                if (await enumerators[i].MoveNextAsync()) current.Add((enumerators[i].Current, i));
            while (current.Count > 0)
            {
                var next = 0;
                for (var i = 1; i < current.Count; i++)
                    if (order.Compare(current[i].Item, current[next].Item) < 0) next = i;
                var item = current[next].Item;
                yield return item;
                // The same item from another stream (a row archived while this was read) is given once.
                for (var i = current.Count - 1; i >= 0; i--)
                    if (order.Compare(current[i].Item, item) == 0)
                    {
                        var s = current[i].Source;
                        if (await enumerators[s].MoveNextAsync()) current[i] = (enumerators[s].Current, s);
                        else current.RemoveAt(i);
                    }
            }
        }
        finally
        {
            foreach (var e in enumerators) await e.DisposeAsync();
        }
    }
}

/// <summary>
/// Tells a reader that the window reaches into archived days, which the answer does not hold. An
/// operator is told the archived days themselves; a client only which days of the window are older
/// than the tenant's hot window (from the policy, not from the files: which days hold archived events
/// would tell it of other consumers' activity).
/// </summary>
public static class ArchiveNotice
{
    public static async Task<ArchivedDays?> DaysAsync(AuditDbContext db, RetentionSettings settings, AuditScope scope, string? layer,
        TimeWindow window, long nowMs, CancellationToken ct)
    {
        if (!scope.IsConsumerLimited) return await ArchiveRows.DaysAsync(db, scope.TenantId, layer, window, ct);
        if ((await settings.PolicyAsync(scope.TenantId, ct)).ArchiveBeforeMs(nowMs) is not { } hotEdge) return null;
        // An open start begins at the tenant's first archived day: when the tenant began, not who did what.
        var first = window.FromMs is { } from ? AuditTime.DayStart(from) : (await ArchiveRows.DaysAsync(db, scope.TenantId, null, TimeWindow.All, ct))?.FirstDayMs;
        var last = AuditTime.DayStart(Math.Min(window.ToMs ?? hotEdge, hotEdge) - 1);
        return first is { } f && f <= last ? new ArchivedDays(f, last, Rows: 0) : null;
    }

    /// <summary>Adds <c>Stoa-Archived-Days: 2025-01-01/2025-03-31</c> when the window reaches archived days of the layer.</summary>
    public static async Task AddHeaderAsync(HttpContext http, AuditDbContext db, AuditScope scope, string? layer, TimeWindow window)
    {
        var services = http.RequestServices;
        if (await DaysAsync(db, services.GetRequiredService<RetentionSettings>(), scope, layer, window,
                services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds(), http.RequestAborted) is { } days)
            http.Response.Headers[ArchivedDays.Header] = days.Text;
    }
}
