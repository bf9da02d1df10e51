using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>A tenant's retention as the settings page, the triage page and the API show it.</summary>
public sealed record RetentionView(string TenantId, RetentionPolicy Policy, bool IsDefault, long? OldestHotMs, long? ArchiveBeforeMs,
    long? PurgeBeforeMs, IReadOnlyList<LegalHold> Holds, IReadOnlyList<ArchiveFile> Files, long ChainBaseSeq)
{
    public IEnumerable<ArchiveFile> Kept => Files.Where(f => f.PurgedAtMs is null);
    public IEnumerable<ArchiveFile> Purged => Files.Where(f => f.PurgedAtMs is not null);
    public IEnumerable<LegalHold> InForce => Holds.Where(h => h.ReleasedAtMs is null);

    public object ToJson() => new
    {
        tenant_id = TenantId,
        policy = Policy.Text,
        preset = Policy.Preset,
        is_default = IsDefault,
        hot_days = Policy.HotDays,
        archive_months = Policy.ArchiveMonths,
        described = Policy.Describe(),
        oldest_hot_event = OldestHotMs is { } oldest ? AuditTime.Print(oldest) : null,
        archives_before = ArchiveBeforeMs is { } a ? AuditTime.Print(a) : null,
        purges_before = PurgeBeforeMs is { } p ? AuditTime.Print(p) : null,
        chain_base_seq = ChainBaseSeq,
        holds = Holds.Select(RetentionOverview.HoldJson),
        archive_files = Kept.Select(RetentionOverview.FileJson),
        deletions = Purged.Select(RetentionOverview.FileJson),
    };
}

/// <summary>The line the triage page shows: the policy, holds in force and the oldest event still in the store.</summary>
public sealed record RetentionSummary(RetentionPolicy Policy, int HoldsInForce, long? OldestHotMs);

public sealed class RetentionOverview(IDbContextFactory<AuditDbContext> factory, RetentionSettings settings, TimeProvider clock)
{
    public async Task<RetentionSummary> SummaryAsync(AuditDbContext db, string tenantId, CancellationToken ct)
    {
        var stored = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => t.Retention).FirstOrDefaultAsync(ct);
        var holds = await db.LegalHolds.CountAsync(h => h.TenantId == tenantId && h.ReleasedAtMs == null, ct);
        return new RetentionSummary(settings.PolicyOf(stored), holds, await OldestHotAsync(db, tenantId, ct));
    }

    private static async Task<long?> OldestHotAsync(AuditDbContext db, string tenantId, CancellationToken ct) => new[]
    {
        await db.Requests.Where(e => e.TenantId == tenantId).MinAsync(e => (long?)e.TimestampMs, ct),
        await db.SecurityEvents.Where(e => e.TenantId == tenantId).MinAsync(e => (long?)e.TimestampMs, ct),
        await db.BusinessEvents.Where(e => e.TenantId == tenantId).MinAsync(e => (long?)e.TimestampMs, ct),
    }.Min();

    public async Task<RetentionView> ReadAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId, ct);
        var policy = settings.PolicyOf(tenant?.Retention);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var oldest = await OldestHotAsync(db, tenantId, ct);
        var files = await db.ArchiveFiles.AsNoTracking().Where(a => a.TenantId == tenantId)
            .OrderBy(a => a.DayMs).ThenBy(a => a.Layer).ThenBy(a => a.Part).ToListAsync(ct);
        return new RetentionView(tenantId, policy, tenant?.Retention is null, oldest, policy.ArchiveBeforeMs(now), policy.PurgeBeforeMs(now),
            await settings.HoldsAsync(tenantId, ct), files, tenant?.ChainBaseSeq ?? 0);
    }

    public static object HoldJson(LegalHold h) => new
    {
        id = h.Id,
        reason = h.Reason,
        from = h.FromMs is { } f ? AuditTime.Print(f) : null,
        to = h.ToMs is { } t ? AuditTime.Print(t) : null,
        placed_by = h.PlacedBy,
        placed_at = AuditTime.Print(h.PlacedAtMs),
        released_by = h.ReleasedBy,
        released_at = h.ReleasedAtMs is { } r ? AuditTime.Print(r) : null,
    };

    public static object FileJson(ArchiveFile f) => new
    {
        id = f.Id,
        layer = f.Layer,
        day = AuditTime.PrintDay(f.DayMs),
        part = f.Part,
        path = f.Path,
        rows = f.Rows,
        first_seq = f.FirstSeq,
        last_seq = f.LastSeq,
        bytes = f.Bytes,
        sha256 = f.Sha256,
        first_head = Evidence.HashChain.Hex(f.FirstHead),
        last_head = Evidence.HashChain.Hex(f.LastHead),
        archived_at = AuditTime.Print(f.ArchivedAtMs),
        purged_at = f.PurgedAtMs is { } p ? AuditTime.Print(p) : null,
    };

    public static object RunJson(RetentionRun run) => new
    {
        tenant_id = run.TenantId,
        policy = run.Policy.Text,
        archived = run.Archived.Select(FileJson),
        purged = run.Purged.Select(FileJson),
        skipped = run.Skipped,
    };
}
