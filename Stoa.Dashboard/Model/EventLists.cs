using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>A list page's rows: how many match in all (counted on the first page only), a page of them, and the cursor to the next.</summary>
public sealed record EventList<T>(long? Total, List<T> Items, string? NextCursor) where T : AuditEvent;

/// <summary>
/// The security and changes pages' lists: the scope's events of the filter, newest or oldest first,
/// a page at a time (keyset paging, like the API's), the total counted in the store with the first page.
/// </summary>
public static class EventLists
{
    public static Task<EventList<SecurityEvent>> SecurityAsync(AuditDbContext db, AuditScope scope, SecurityFilter filter, int size,
        bool ascending, string? cursor, CancellationToken ct = default) =>
        LoadAsync(db.Security(scope).Filter(filter), size, ascending, cursor, ct);

    public static Task<EventList<BusinessEvent>> ChangesAsync(AuditDbContext db, AuditScope scope, BusinessFilter filter, int size,
        bool ascending, string? cursor, CancellationToken ct = default) =>
        LoadAsync(db.Business(scope).Filter(filter), size, ascending, cursor, ct);

    private static async Task<EventList<T>> LoadAsync<T>(IQueryable<T> rows, int size, bool ascending, string? cursor, CancellationToken ct)
        where T : AuditEvent
    {
        long? total = cursor is null ? await rows.LongCountAsync(ct) : null;
        var page = await rows.PageAsync(new PageRequest(size, ascending, cursor is null ? null : PageCursor.TryDecode(cursor)), ct);
        return new EventList<T>(total, page.Items, page.NextCursor);
    }
}
