using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>One consumer whose traffic in the window stands out, with each reason in words.</summary>
public sealed record UnusualConsumer(string ConsumerId, string ConsumerName, ErrorMix Mix, double UsualRequests, long SensitiveRequests,
    IReadOnlyList<string> Reasons);

/// <summary>
/// The possible-breach playbook's figures for a window: the overview (as triage counts it) and the
/// consumers that stand out: far above their own usual volume for a window this long (the 14 days
/// before), a high error rate, probing (401/403), or far more requests to the tenant's sensitive
/// paths than their own usual. Counted in the store over the whole window, through the caller's scope.
/// </summary>
public sealed record BreachReview(Triage Overview, IReadOnlyList<UnusualConsumer> Unusual, IReadOnlyList<string> SensitivePrefixes)
{
    public const double VolumeFactor = 3;
    public const long MinRequests = 100;
    public const long ProbingRequests = 20;
    private const int UsualDays = 14;

    public static async Task<BreachReview> LoadAsync(AuditDbContext db, AuditScope scope, TimeWindow window, double troubleThreshold,
        CancellationToken ct = default)
    {
        var (from, to) = (window.FromMs!.Value, window.ToMs!.Value);
        var overview = await Triage.LoadAsync(db, scope, window, troubleThreshold, ct);
        var prefixes = (await db.Tenants.AsNoTracking().Where(t => t.TenantId == scope.TenantId).Select(t => t.SensitivePaths).FirstOrDefaultAsync(ct))
            ?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() ?? [];

        var now = await RollupQueries.ByConsumerAndStatusAsync(db, scope, from, to, ct: ct);
        var before = await RollupQueries.ByConsumerAndStatusAsync(db, scope, from - UsualDays * AuditTime.DayMs, from, ct: ct);
        var usual = before.GroupBy(c => c.ConsumerId).ToDictionary(g => g.Key,
            g => g.Sum(c => c.Requests) * (double)(to - from) / (UsualDays * AuditTime.DayMs));
        // Sensitive paths against the same consumer's usual share of them: a portal that always reads customers is not news.
        var sensitive = new Dictionary<string, long>();
        var sensitiveBefore = new Dictionary<string, long>();
        var usualWindow = new TimeWindow(from - UsualDays * AuditTime.DayMs, from);
        foreach (var prefix in prefixes)
        {
            await CountByConsumerAsync(db.Requests(scope).InWindow(window).Where(r => r.Path.StartsWith(prefix)), sensitive, ct);
            await CountByConsumerAsync(db.Requests(scope).InWindow(usualWindow).Where(r => r.Path.StartsWith(prefix)), sensitiveBefore, ct);
        }

        var unusual = new List<UnusualConsumer>();
        foreach (var g in now.GroupBy(c => c.ConsumerId))
        {
            var mix = ErrorMix.From(g.Select(c => (c.StatusCode, c.Requests)));
            var typical = usual.GetValueOrDefault(g.Key);
            var hits = sensitive.GetValueOrDefault(g.Key);
            var usualHits = sensitiveBefore.GetValueOrDefault(g.Key) * (double)(to - from) / (UsualDays * AuditTime.DayMs);
            var reasons = new List<string>();
            if (mix.Requests >= MinRequests && typical == 0)
                reasons.Add($"{mix.Requests:N0} requests and none in the 14 days before: a new consumer");
            else if (mix.Requests >= MinRequests && mix.Requests >= VolumeFactor * typical)
                reasons.Add($"{mix.Requests:N0} requests, {mix.Requests / typical:0.0}× its usual {typical:N0} for a window this long");
            if (mix.AuthErrors >= ProbingRequests)
                reasons.Add($"{mix.AuthErrors:N0} refused authentications (401/403): probing");
            if (mix.Errors >= ProbingRequests && mix.ErrorRate > troubleThreshold)
                reasons.Add($"{mix.ErrorRate:P0} of its requests failed");
            if (hits >= ProbingRequests && hits >= VolumeFactor * usualHits)
                reasons.Add(usualHits < 1 ? $"{hits:N0} requests to sensitive paths, none usually"
                    : $"{hits:N0} requests to sensitive paths, {hits / usualHits:0.0}× its usual {usualHits:N0}");
            if (reasons.Count > 0)
                unusual.Add(new UnusualConsumer(g.Key, g.Select(c => c.ConsumerName).Max(StringComparer.Ordinal)!, mix, typical, hits, reasons));
        }
        return new BreachReview(overview, unusual.OrderByDescending(u => u.Reasons.Count).ThenByDescending(u => u.Mix.Requests).ToList(), prefixes);
    }

    private static async Task CountByConsumerAsync(IQueryable<RequestEvent> requests, Dictionary<string, long> counts, CancellationToken ct)
    {
        foreach (var hit in await requests.GroupBy(r => r.ConsumerId).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct))
            counts[hit.Key] = counts.GetValueOrDefault(hit.Key) + hit.Count;
    }

    /// <summary>The tenant's sensitive path prefixes, one a line (the playbook's setting); an <c>admin_action</c> is the caller's to record.</summary>
    public static async Task SaveSensitivePathsAsync(AuditDbContext db, string tenantId, IEnumerable<string> prefixes, CancellationToken ct = default)
    {
        var text = string.Join('\n', prefixes.Select(p => p.Trim()).Where(p => p.StartsWith('/')).Distinct().Take(50));
        await db.Tenants.Where(t => t.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.SensitivePaths, text), ct);
    }

    /// <summary>The findings in a few lines, for an incident's timeline.</summary>
    public string Findings() => Unusual.Count == 0
        ? "No consumer stands out in the window."
        : string.Join('\n', Unusual.Select(u => $"{u.ConsumerId} ({u.ConsumerName}): {string.Join("; ", u.Reasons)}."));
}
