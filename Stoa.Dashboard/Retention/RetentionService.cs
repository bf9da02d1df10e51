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
public sealed class RetentionService(Archiver archiver, IDbContextFactory<AuditDbContext> factory, TimeProvider clock, IConfiguration configuration,
    ILogger<RetentionService> logger) : BackgroundService
{
    public const string LeaseName = "retention";
    private static readonly TimeSpan LeaseLength = TimeSpan.FromMinutes(10);
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>One run over every tenant, or null when another holder has the lease.</summary>
    public async Task<List<RetentionRun>?> RunOnceAsync(string? tenantId = null, CancellationToken ct = default)
    {
        if (!await TryLeaseAsync(ct)) return null;
        try
        {
            List<string> tenants;
            await using (var db = await factory.CreateDbContextAsync(ct))
                tenants = tenantId is not null ? [tenantId] : await db.Tenants.AsNoTracking().Select(t => t.TenantId).OrderBy(t => t).ToListAsync(ct);
            var runs = new List<RetentionRun>();
            foreach (var tenant in tenants)
            {
                if (!await TryLeaseAsync(ct)) throw new InvalidOperationException("The retention lease was taken over by another holder; this run stops.");
                runs.Add(await archiver.RunAsync(tenant, ct));
            }
            return runs;
        }
        finally
        {
            await ReleaseAsync();
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

    /// <summary>Takes the lease when it is free, expired, ours, or left by a dead process of this machine: one statement, so two takers cannot both win.</summary>
    private async Task<bool> TryLeaseAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var until = now + (long)LeaseLength.TotalMilliseconds;
        var current = await db.Leases.AsNoTracking().Where(l => l.Name == LeaseName).Select(l => l.Holder).FirstOrDefaultAsync(ct);
        var abandoned = current is not null && IsDeadProcessHere(current) ? current : "";
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO leases (name, holder, expires_at_ms) VALUES ({LeaseName}, {_holder}, {until})
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
            WHERE leases.expires_at_ms < {now} OR leases.holder = excluded.holder OR leases.holder = {abandoned}
            """, ct);
        return await db.Leases.AsNoTracking().AnyAsync(l => l.Name == LeaseName && l.Holder == _holder, ct);
    }

    /// <summary>Whether a holder (<c>machine/pid/…</c>) was a process of this machine that no longer runs.</summary>
    private static bool IsDeadProcessHere(string holder)
    {
        var parts = holder.Split('/');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }

    private async Task ReleaseAsync()
    {
        await using var db = await factory.CreateDbContextAsync();
        await db.Leases.Where(l => l.Name == LeaseName && l.Holder == _holder).ExecuteDeleteAsync();
    }
}
