using Microsoft.EntityFrameworkCore;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// Named leases in the store, so work that must run once (retention, forwarding, alert rules,
/// checkpoints) runs on one instance at a time however many share the store. A lease is free when
/// it has expired, is ours, or was left by a process of this machine that no longer runs (killed):
/// then it is free at once rather than when it expires.
/// </summary>
public sealed class StoreLeases(IDbContextFactory<AuditDbContext> factory, StoreSettings settings, TimeProvider clock)
{
    /// <summary>Takes or renews the lease for <paramref name="length"/>: one statement, so two takers cannot both win.</summary>
    /// <param name="holder">Who holds it: this instance by default (<see cref="StoreSettings.Instance"/>), or one piece of work of it (an export).</param>
    public async Task<bool> TryTakeAsync(string name, TimeSpan length, CancellationToken ct = default, string? holder = null)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var until = now + (long)length.TotalMilliseconds;
        holder ??= settings.Instance;
        var current = await db.Leases.AsNoTracking().Where(l => l.Name == name).Select(l => l.Holder).FirstOrDefaultAsync(ct);
        var abandoned = current is not null && IsDeadProcessHere(current) ? current : "";
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO leases (name, holder, expires_at_ms) VALUES ({name}, {holder}, {until})
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
            WHERE leases.expires_at_ms < {now} OR leases.holder = excluded.holder OR leases.holder = {abandoned}
            """, ct);
        return await db.Leases.AsNoTracking().AnyAsync(l => l.Name == name && l.Holder == holder, ct);
    }

    /// <summary>Gives the lease up, if this holder (by default this instance) holds it.</summary>
    public async Task ReleaseAsync(string name, string? holder = null)
    {
        holder ??= settings.Instance;
        await using var db = await factory.CreateDbContextAsync();
        await db.Leases.Where(l => l.Name == name && l.Holder == holder).ExecuteDeleteAsync();
    }

    /// <summary>How many unexpired leases are held whose names start with <paramref name="prefix"/>.</summary>
    public async Task<int> HeldAsync(string prefix, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return await db.Leases.CountAsync(l => l.Name.StartsWith(prefix) && l.ExpiresAtMs >= now, ct);
    }

    /// <summary>Whether a holder (<c>machine/pid/…</c>) was a process of this machine that no longer runs.</summary>
    private static bool IsDeadProcessHere(string holder)
    {
        var parts = holder.Split('/');
        if (parts.Length < 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid)) return false;
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
}
