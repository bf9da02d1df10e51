using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

public sealed record ConsumerTriage(string ConsumerId, string ConsumerName, ErrorMix Mix);

public sealed record TypeCount(string Type, long Count);

/// <summary>The five-minute investigation of a window: totals, top consumers, security by type, consumers in trouble.</summary>
public sealed record Triage(
    long Total, long Status4xx, long Status5xx, long Status429,
    IReadOnlyList<ConsumerTriage> TopConsumers, IReadOnlyList<TypeCount> SecurityByType, IReadOnlyList<ConsumerTriage> InTrouble)
{
    public double ErrorRate => Total == 0 ? 0 : (double)(Status4xx + Status5xx) / Total;

    /// <summary>Everything is computed in SQL over the whole window: one grouped pass over requests, one over security events.</summary>
    public static async Task<Triage> LoadAsync(AuditDbContext db, AuditScope scope, TimeWindow window, double troubleThreshold,
        CancellationToken ct = default)
    {
        // Rollups for the window's whole days, hours and ten minutes, the events themselves for its edges: exact, and fast at any size.
        var counts = await RollupQueries.ByConsumerAndStatusAsync(db, scope, window.FromMs ?? 0, window.ToMs ?? long.MaxValue, ct: ct);
        var consumers = counts.GroupBy(c => c.ConsumerId)
            .Select(g => new ConsumerTriage(g.Key, g.Select(c => c.ConsumerName).Max(StringComparer.Ordinal)!,
                ErrorMix.From(g.Select(c => (c.StatusCode, c.Requests)))))
            .ToList();

        var security = await db.Security(scope).InWindow(window)
            .GroupBy(s => s.Type)
            .Select(g => new TypeCount(g.Key, g.LongCount()))
            .ToListAsync(ct);

        return new Triage(
            Total: consumers.Sum(c => c.Mix.Requests),
            Status4xx: consumers.Sum(c => c.Mix.ClientErrors + c.Mix.AuthErrors + c.Mix.Throttled),
            Status5xx: consumers.Sum(c => c.Mix.ServerErrors),
            Status429: consumers.Sum(c => c.Mix.Throttled),
            TopConsumers: consumers.OrderByDescending(c => c.Mix.Requests).ThenBy(c => c.ConsumerId).Take(10).ToList(),
            SecurityByType: security.OrderByDescending(s => s.Count).ThenBy(s => s.Type).ToList(),
            InTrouble: consumers.Where(c => c.Mix.Errors > 0 && c.Mix.ErrorRate > troubleThreshold)
                .OrderByDescending(c => c.Mix.Errors).ThenBy(c => c.ConsumerId).ToList());
    }
}
