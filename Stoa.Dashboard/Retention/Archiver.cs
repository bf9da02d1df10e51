using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>What one retention run did for a tenant: the files it archived and purged, and what it left alone and why.</summary>
public sealed record RetentionRun(string TenantId, RetentionPolicy Policy, IReadOnlyList<ArchiveFile> Archived, IReadOnlyList<ArchiveFile> Purged,
    IReadOnlyList<string> Skipped)
{
    public bool DidSomething => Archived.Count > 0 || Purged.Count > 0;
}

/// <summary>
/// Applies each tenant's retention policy (<c>docs/retention.md</c>): moves whole UTC days older
/// than the hot window into archive files, then purges archive files older than the archive
/// window, skipping what a legal hold covers. Safe to repeat and to kill at any point: a day is
/// written to its file first and leaves the store in one transaction with the file's record; a
/// purge advances the chain's base and marks its files in one transaction before deleting them.
/// </summary>
public sealed class Archiver(IDbContextFactory<AuditDbContext> factory, ArchiveDirectory directory, Checkpoints checkpoints, SigningKeys keys,
    RetentionSettings settings, AdminActions actions, TimeProvider clock, ILogger<Archiver> logger)
{
    /// <summary>The three kinds under the names exports give them.</summary>
    public static readonly IReadOnlyList<(string Layer, EventKind Kind)> Layers =
        [("requests", EventKind.Request), ("security", EventKind.Security), ("business", EventKind.Business)];

    public const string Actor = "stoa-retention";

    public async Task<RetentionRun> RunAsync(string tenantId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var policy = await settings.PolicyAsync(tenantId, ct);
        var holds = (await settings.HoldsAsync(tenantId, ct)).Where(h => h.ReleasedAtMs is null).ToList();
        var archived = new List<ArchiveFile>();
        var skipped = new List<string>();
        if (policy.ArchiveBeforeMs(now) is { } cutoff)
        {
            await ArchiveLayerAsync<RequestEvent>(tenantId, "requests", cutoff, holds, archived, skipped, ct);
            await ArchiveLayerAsync<SecurityEvent>(tenantId, "security", cutoff, holds, archived, skipped, ct);
            await ArchiveLayerAsync<BusinessEvent>(tenantId, "business", cutoff, holds, archived, skipped, ct);
        }
        var purged = policy.PurgeBeforeMs(now) is { } purgeBefore ? await PurgeAsync(tenantId, purgeBefore, holds, skipped, ct) : [];
        var run = new RetentionRun(tenantId, policy, archived, purged, skipped);
        if (run.DidSomething)
        {
            await actions.RecordAsync(tenantId, Actor, $"retention:{tenantId}", new
            {
                action = "retention_run",
                policy = policy.Text,
                archived_files = archived.Count,
                archived_rows = archived.Sum(a => a.Rows),
                purged_files = purged.Select(p => new { p.Layer, day = AuditTime.PrintDay(p.DayMs), p.Part, p.Rows, p.FirstSeq, p.LastSeq, p.Sha256 }),
                skipped,
            });
            logger.LogInformation("Retention of {Tenant}: archived {Archived} files ({Rows} events), purged {Purged} files; skipped {Skipped}",
                tenantId, archived.Count, archived.Sum(a => a.Rows), purged.Count, skipped.Count);
        }
        return run;
    }

    private async Task ArchiveLayerAsync<T>(string tenantId, string layer, long cutoff, List<LegalHold> holds, List<ArchiveFile> archived,
        List<string> skipped, CancellationToken ct) where T : AuditEvent
    {
        var from = long.MinValue;
        while (true)
        {
            long? first;
            await using (var db = await factory.CreateDbContextAsync(ct))
                first = await db.Set<T>().Where(e => e.TenantId == tenantId && e.TimestampMs >= from && e.TimestampMs < cutoff)
                    .MinAsync(e => (long?)e.TimestampMs, ct);
            if (first is null) return;
            var day = AuditTime.DayStart(first.Value);
            if (holds.FirstOrDefault(h => h.Covers(day)) is { } hold)
                skipped.Add($"{layer} {AuditTime.PrintDay(day)}: kept hot under legal hold {hold.Id} ({hold.Reason})");
            else if (await ArchiveDayAsync<T>(tenantId, layer, day, ct) is { } file)
                archived.Add(file);
            from = day + AuditTime.DayMs;
        }
    }

    /// <summary>Writes one day of one kind to its archive file, then, in one transaction, records the file and deletes exactly the rows it holds.</summary>
    private async Task<ArchiveFile?> ArchiveDayAsync<T>(string tenantId, string layer, long day, CancellationToken ct) where T : AuditEvent
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var part = (await db.ArchiveFiles.Where(a => a.TenantId == tenantId && a.Layer == layer && a.DayMs == day).MaxAsync(a => (int?)a.Part, ct) ?? 0) + 1;
        var relative = ArchiveFormat.RelativePath(tenantId, layer, day, part);
        var path = Path.Combine(directory.Root, relative);
        var end = day + AuditTime.DayMs;
        // One statement, one snapshot: every row of the day stored before it started, in export order.
        var rows = db.Set<T>().AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.TimestampMs >= day && e.TimestampMs < end)
            .OrderBy(e => e.TimestampMs).ThenBy(e => e.Seq)
            .Select(e => new ChainedEvent(e, EF.Property<byte[]?>(e, HashChain.Property)))
            .AsAsyncEnumerable();
        var contents = await ArchiveFormat.WriteAsync(path, rows, ct);
        if (contents is null) return null;

        var checkpoint = await checkpoints.SignAsync(tenantId, ct)
            ?? throw new InvalidOperationException($"{tenantId} has events but no checkpoint could be signed.");
        var file = new ArchiveFile
        {
            TenantId = tenantId, Layer = layer, DayMs = day, Part = part, Path = relative, Rows = contents.Rows,
            FirstSeq = contents.FirstSeq, LastSeq = contents.LastSeq, Bytes = contents.Bytes, Sha256 = contents.Sha256,
            FirstHead = contents.FirstHead, LastHead = contents.LastHead, CheckpointId = checkpoint.Id,
            ArchivedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await ArchiveManifest.WriteAsync(path, file, checkpoint, keys, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ArchiveFiles.Add(file);
        await db.SaveChangesAsync(ct);
        // Rows of the day that arrived after the read have higher seqs: they stay for the next part.
        var deleted = await db.Set<T>()
            .Where(e => e.TenantId == tenantId && e.TimestampMs >= day && e.TimestampMs < end && e.Seq <= contents.LastSeq)
            .ExecuteDeleteAsync(ct);
        if (deleted != contents.Rows)
            throw new InvalidOperationException($"{relative} holds {contents.Rows} events but {deleted} matched in the store; nothing was deleted.");
        await transaction.CommitAsync(ct);
        return file;
    }

    /// <summary>
    /// Purges the tenant's archive files of days before <paramref name="purgeBefore"/> that no hold
    /// covers, in seq order only: a file goes once every event that arrived before its last one
    /// goes too, so what stays is a chain from one base (seq and head) onwards. The files' events
    /// are walked first: their hashes, chain and heads must check out, or nothing is purged.
    /// </summary>
    private async Task<List<ArchiveFile>> PurgeAsync(string tenantId, long purgeBefore, List<LegalHold> holds, List<string> skipped,
        CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await DeleteLeftoversAsync(db, tenantId, ct);
        var kept = await ArchiveDirectory.Kept(db, tenantId).ToListAsync(ct);
        var staying = new List<ArchiveFile>();
        var candidates = new List<ArchiveFile>();
        foreach (var file in kept)
        {
            if (file.DayMs >= purgeBefore) staying.Add(file);
            else if (holds.FirstOrDefault(h => h.Covers(file.DayMs)) is { } hold)
            {
                staying.Add(file);
                skipped.Add($"{file.Path}: not purged, under legal hold {hold.Id} ({hold.Reason})");
            }
            else candidates.Add(file);
        }
        var hotFirst = new[]
        {
            await db.Requests.Where(e => e.TenantId == tenantId).MinAsync(e => (long?)e.Seq, ct),
            await db.SecurityEvents.Where(e => e.TenantId == tenantId).MinAsync(e => (long?)e.Seq, ct),
            await db.BusinessEvents.Where(e => e.TenantId == tenantId).MinAsync(e => (long?)e.Seq, ct),
        }.Min() ?? long.MaxValue;
        while (true)
        {
            var stop = Math.Min(hotFirst, staying.Count == 0 ? long.MaxValue : staying.Min(f => f.FirstSeq));
            var waiting = candidates.Where(c => c.LastSeq >= stop).ToList();
            if (waiting.Count == 0) break;
            foreach (var file in waiting)
                skipped.Add($"{file.Path}: purge waits for events that arrived before seq {file.LastSeq} and are kept longer");
            candidates.RemoveAll(waiting.Contains);
            staying.AddRange(waiting);
        }
        if (candidates.Count == 0) return [];

        var tenant = await db.Tenants.FirstAsync(t => t.TenantId == tenantId, ct);
        var newBase = candidates.Max(c => c.LastSeq);
        foreach (var file in candidates)
        {
            var (_, sha256) = await ArchiveFormat.HashAsync(directory.PathOf(file), ct);
            if (sha256 != file.Sha256)
                throw new InvalidDataException($"{file.Path} no longer has the SHA-256 recorded when it was written: nothing of {tenantId} was purged.");
        }
        var lastHeads = candidates.ToDictionary(c => c.LastSeq, c => c.LastHead);
        var head = tenant.ChainBaseSeq == 0 ? HashChain.Genesis : tenant.ChainBaseHead!;
        var expected = tenant.ChainBaseSeq + 1;
        await foreach (var link in ChainReader.LinksAsync(factory, directory, tenantId, expected, newBase, ct))
        {
            if (link.Seq != expected)
                throw new InvalidDataException($"Seq {expected} of {tenantId} is missing from the archive: nothing was purged.");
            head = HashChain.Next(head, link.Leaf, link.Seq);
            if (lastHeads.TryGetValue(link.Seq, out var recorded) && !recorded.AsSpan().SequenceEqual(head))
                throw new InvalidDataException($"The chain of {tenantId} does not reach the head recorded at seq {link.Seq}: nothing was purged.");
            expected++;
        }
        if (expected != newBase + 1)
            throw new InvalidDataException($"Seqs {expected} to {newBase} of {tenantId} are missing from the archive: nothing was purged.");

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            tenant.ChainBaseSeq = newBase;
            tenant.ChainBaseHead = head;
            foreach (var file in candidates)
            {
                db.ArchiveFiles.Attach(file);
                file.PurgedAtMs = now;
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        foreach (var file in candidates) File.Delete(directory.PathOf(file));
        return candidates;
    }

    /// <summary>Files whose purge was committed but not yet deleted when the process died.</summary>
    private async Task DeleteLeftoversAsync(AuditDbContext db, string tenantId, CancellationToken ct)
    {
        var purged = await db.ArchiveFiles.AsNoTracking().Where(a => a.TenantId == tenantId && a.PurgedAtMs != null).Select(a => a.Path).ToListAsync(ct);
        foreach (var path in purged)
            File.Delete(Path.Combine(directory.Root, path)); // no error when it is already gone
    }
}
