using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>
/// Runs the retention job every <c>Stoa:Retention:IntervalMinutes</c> (60; 0 turns it off, leaving
/// the page's "Run now" and the <c>retention run</c> command). A run takes the store's
/// <c>retention</c> lease first, so two instances (or the command beside a server) never run it at once.
/// The lease lasts ten minutes and is renewed after each tenant; one whose holder was a process of
/// this machine that is gone (killed) is free at once.
/// </summary>
public sealed class RetentionService(Archiver archiver, IDbContextFactory<AuditDbContext> factory, StoreLeases leases, TimeProvider clock,
    IConfiguration configuration, ILogger<RetentionService> logger, RequestPartitions? partitions = null) : BackgroundService
{
    public const string LeaseName = "retention";
    private static readonly TimeSpan LeaseLength = TimeSpan.FromMinutes(10);

    /// <summary>One run over every tenant, or null when another holder has the lease.</summary>
    public async Task<List<RetentionRun>?> RunOnceAsync(string? tenantId = null, CancellationToken ct = default)
    {
        if (!await leases.TryTakeAsync(LeaseName, LeaseLength, ct)) return null;
        try
        {
            List<string> tenants;
            await using (var db = await factory.CreateDbContextAsync(ct))
                tenants = tenantId is not null ? [tenantId] : await db.Tenants.AsNoTracking().Select(t => t.TenantId).OrderBy(t => t).ToListAsync(ct);
            var runs = new List<RetentionRun>();
            foreach (var tenant in tenants)
            {
                if (!await leases.TryTakeAsync(LeaseName, LeaseLength, ct)) throw new InvalidOperationException("The retention lease was taken over by another holder; this run stops.");
                runs.Add(await archiver.RunAsync(tenant, ct));
            }
            // On PostgreSQL a past month every tenant's events have left goes as a whole table (and its space with it, without waiting for a vacuum).
            if (partitions is not null) await partitions.DropEmptyPastAsync(ct);
            return runs;
        }
        finally
        {
            await leases.ReleaseAsync(LeaseName);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var minutes = configuration.GetValue("Stoa:Retention:IntervalMinutes", 60);
        if (minutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(minutes), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await RunOnceAsync(ct: stoppingToken) is null) logger.LogInformation("Retention skipped: another instance holds the lease");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The retention run failed; it starts again in {Minutes} minutes where it stopped", minutes);
            }
        }
    }
}
