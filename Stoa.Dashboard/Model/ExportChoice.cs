using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>What the export page shows before the download: how many rows the file will hold, and the consumers an operator may narrow it to.</summary>
public sealed record ExportChoice(long Rows, IReadOnlyList<string> Consumers)
{
    /// <param name="consumerId">Requests only: one consumer's (an operator's choice).</param>
    /// <param name="listConsumers">An operator's page lists the window's consumers; a client's does not.</param>
    public static async Task<ExportChoice> LoadAsync(AuditDbContext db, AuditScope scope, string layer, TimeWindow window, string? consumerId,
        bool listConsumers, CancellationToken ct = default)
    {
        var rows = layer switch
        {
            "security" => await db.Security(scope).InWindow(window).LongCountAsync(ct),
            "business" => await db.Business(scope).InWindow(window).LongCountAsync(ct),
            _ => await db.Requests(scope).Filter(new RequestFilter { Window = window, ConsumerId = consumerId }).LongCountAsync(ct),
        };
        var consumers = listConsumers
            ? await db.Requests(scope).InWindow(window).Select(r => r.ConsumerId).Distinct().OrderBy(c => c).ToListAsync(ct)
            : [];
        return new ExportChoice(rows, consumers);
    }

    /// <summary>Every consumer the scope has seen requests from, for choosing a client's consumers (the access page).</summary>
    public static Task<List<string>> KnownConsumersAsync(AuditDbContext db, AuditScope scope, CancellationToken ct = default) =>
        db.Requests(scope).Select(r => r.ConsumerId).Distinct().OrderBy(c => c).ToListAsync(ct);
}
