using System.Text;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Evidence;

/// <summary>
/// Signs each tenant's chain head: once a minute while its events arrive
/// (<c>Stoa:Evidence:CheckpointSeconds</c>), and whenever a bundle needs one. A checkpoint is
/// only made when the chain has grown since the last; checkpoints are kept for good.
/// </summary>
public sealed class Checkpoints(IDbContextFactory<AuditDbContext> factory, SigningKeys keys, StoreLeases leases, TimeProvider clock,
    IConfiguration configuration, ILogger<Checkpoints> logger) : BackgroundService
{
    /// <summary>Raised after a checkpoint is stored.</summary>
    public event Action<Checkpoint>? Signed;

    // One signer at a time, so each checkpoint names the one before it.
    private readonly SemaphoreSlim _signing = new(1, 1);

    /// <summary>The tenant's newest checkpoint, made now if its chain has grown since the last one (null for a tenant with no events).</summary>
    public async Task<Checkpoint?> SignAsync(string tenantId, CancellationToken ct = default)
    {
        await _signing.WaitAsync(ct);
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId, ct);
            var last = await LatestAsync(db, tenantId, ct);
            if (tenant is not { LastSeq: > 0, ChainHead: { } head } || last?.Seq >= tenant.LastSeq) return last;

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var keyId = keys.Current.KeyId;
            var statement = new CheckpointStatement(tenantId, tenant.LastSeq, HashChain.Hex(head), now,
                last is null ? null : CheckpointStatement.HashOf(last.Statement), keyId).ToJson();
            var signature = keys.Sign(Encoding.UTF8.GetBytes(statement), keyId);
            var checkpoint = new Checkpoint
            {
                TenantId = tenantId, Seq = tenant.LastSeq, Head = head, CreatedAtMs = now, KeyId = keyId,
                Statement = statement, Signature = signature,
            };
            db.Checkpoints.Add(checkpoint);
            await db.SaveChangesAsync(ct);
            Signed?.Invoke(checkpoint);
            return checkpoint;
        }
        finally
        {
            _signing.Release();
        }
    }

    /// <summary>Signs every tenant whose chain has grown since its last checkpoint.</summary>
    public async Task SignDueAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var due = await db.Tenants.AsNoTracking()
            .Where(t => t.LastSeq > 0 && t.LastSeq > (db.Checkpoints.Where(c => c.TenantId == t.TenantId).Max(c => (long?)c.Seq) ?? 0))
            .Select(t => t.TenantId).ToListAsync(ct);
        foreach (var tenantId in due) await SignAsync(tenantId, ct);
    }

    public static Task<Checkpoint?> LatestAsync(AuditDbContext db, string tenantId, CancellationToken ct) =>
        db.Checkpoints.AsNoTracking().Where(c => c.TenantId == tenantId).OrderByDescending(c => c.Seq).FirstOrDefaultAsync(ct);

    /// <summary>The first checkpoint at or after this seq: the one that covers it.</summary>
    public static Task<Checkpoint?> CoveringAsync(AuditDbContext db, string tenantId, long seq, CancellationToken ct) =>
        db.Checkpoints.AsNoTracking().Where(c => c.TenantId == tenantId && c.Seq >= seq).OrderBy(c => c.Seq).FirstOrDefaultAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = configuration.GetValue("Stoa:Evidence:CheckpointSeconds", 60);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // One instance signs on the timer (the "checkpoints" lease), so instances sharing a store do not sign twice.
                if (await leases.TryTakeAsync("checkpoints", TimeSpan.FromSeconds(seconds * 3), stoppingToken)) await SignDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Signing checkpoints failed; trying again in {Seconds} s", seconds);
            }
        }
    }
}
