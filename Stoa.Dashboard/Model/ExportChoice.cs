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

    /// <summary>
    /// Every consumer the scope has seen requests from, with its latest-sorting name, for choosing a client's consumers (the access
    /// page). Read from the rollups: a few rows per consumer and hour rather than every request.
    /// </summary>
    public static async Task<List<KnownConsumer>> KnownConsumersAsync(AuditDbContext db, AuditScope scope, CancellationToken ct = default) =>
        (await db.Rollups(scope).GroupBy(r => r.ConsumerId).Select(g => new { Id = g.Key, Name = g.Max(r => r.ConsumerName) }).ToListAsync(ct))
            .Select(c => new KnownConsumer(c.Id, c.Name ?? "")).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
}

/// <summary>A consumer as a person picks it: its id and the name the gateway gave it.</summary>
public sealed record KnownConsumer(string Id, string Name)
{
    public bool Matches(string text) =>
        Id.Contains(text, StringComparison.OrdinalIgnoreCase) || Name.Contains(text, StringComparison.OrdinalIgnoreCase);
}
