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
        var perConsumer = await db.Requests(scope).InWindow(window)
            .GroupBy(r => r.ConsumerId)
            .Select(g => new
            {
                ConsumerId = g.Key,
                ConsumerName = g.Max(r => r.ConsumerName),
                Requests = g.LongCount(),
                Client = g.LongCount(r => r.StatusCode >= 400 && r.StatusCode < 500 && r.StatusCode != 401 && r.StatusCode != 403 && r.StatusCode != 429),
                Auth = g.LongCount(r => r.StatusCode == 401 || r.StatusCode == 403),
                Throttled = g.LongCount(r => r.StatusCode == 429),
                Server = g.LongCount(r => r.StatusCode >= 500),
            })
            .ToListAsync(ct);
        var consumers = perConsumer
            .Select(c => new ConsumerTriage(c.ConsumerId, c.ConsumerName ?? c.ConsumerId,
                new ErrorMix(c.Requests, c.Client, c.Auth, c.Throttled, c.Server)))
            .ToList();

        var security = await db.Security(scope).InWindow(window)
            .GroupBy(s => s.EventType)
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
