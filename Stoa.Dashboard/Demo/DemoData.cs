using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Demo;

/// <summary>
/// A realistic demo store: three tenants, two weeks up to now, a few dozen consumers, everyday
/// traffic, and the incidents people really investigate (see <see cref="DemoIncidents"/>).
/// Deterministic but for "now", so the same story reads the same on every machine.
/// </summary>
public sealed class DemoData(IDbContextFactory<AuditDbContext> factory, EventWriter writer, AlertRules alerts, TimeProvider clock,
    ILogger<DemoData> logger)
{
    public const int Days = 14;

    public async Task<bool> IsStoreEmptyAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return !await db.Requests.AnyAsync(ct) && !await db.SecurityEvents.AnyAsync(ct) && !await db.BusinessEvents.AnyAsync(ct);
    }

    /// <summary>A seed from the tenant id that is the same in every process (string.GetHashCode is randomised per process).</summary>
    private static int StableSeed(string text) => text.Aggregate(17, (hash, c) => unchecked(hash * 31 + c)) & 0xffff;

    /// <summary>Loads the demo data set; returns how many events were stored.</summary>
    public async Task<int> LoadAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var total = 0;
        foreach (var tenant in DemoTenants.All)
        {
            // The recommended alert rules first, so they read the demo's incidents as they are stored.
            await alerts.AddRecommendedAsync("demo", tenant.Id, ct: ct);
            var traffic = new DemoTraffic(tenant, now, seed: StableSeed(tenant.Id));
            traffic.Everyday(Days);
            if (tenant.Id == DemoTenants.Abc.Id) DemoIncidents.AddTo(traffic);
            foreach (var chunk in traffic.Batches(5_000))
                total += (await writer.WriteAsync(tenant.Id, chunk, ct)).Accepted;
        }
        await using (var db = await factory.CreateDbContextAsync(ct))
            await BreachReview.SaveSensitivePathsAsync(db, DemoTenants.Abc.Id, DemoIncidents.SensitivePaths.Split('\n'), ct);
        logger.LogInformation("Demo data loaded: {Events} events in {Tenants} tenants", total, DemoTenants.All.Length);
        return total;
    }
}
