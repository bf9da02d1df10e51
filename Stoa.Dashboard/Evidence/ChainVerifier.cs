using System.Text;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Evidence;

/// <summary>Where the chain breaks: the seq, what is wrong (<c>missing</c>, <c>altered</c>, <c>unchained</c>, <c>rewritten</c>, <c>bad_checkpoint</c>) and a sentence.</summary>
public sealed record ChainBreak(long Seq, string Problem, string Detail);

/// <summary>
/// What a walk of the stored chain found. <see cref="NextFromSeq"/> is set when the range was
/// longer than one walk checks: call again from there (nothing is skipped silently).
/// </summary>
public sealed record ChainReport(string TenantId, long FromSeq, long ToSeq, long Checked, int CheckpointsChecked,
    ChainBreak? FirstBreak, long? NextFromSeq)
{
    public bool Intact => FirstBreak is null;
}

/// <summary>
/// Re-walks a tenant's stored chain: every seq present once, every event's contents hashing to the
/// head stored with it, and every signed checkpoint in the range agreeing with the store. An edited,
/// removed or reordered event breaks the first; a tail replaced by one re-hashed with care still
/// disagrees with the checkpoint signed before it was replaced.
/// </summary>
public static class ChainVerifier
{
    /// <summary>Events one call checks at most (about a minute's work); the report says where to go on.</summary>
    public const long MaxEventsPerWalk = 2_000_000;

    /// <summary>Walks the seq range given, or else that of the events with times in the window (none: nothing to walk), or else all.</summary>
    public static async Task<ChainReport> VerifyAsync(IDbContextFactory<AuditDbContext> factory, ArchiveDirectory archive, SigningKeys keys,
        string tenantId, TimeWindow window, long? fromSeq, long? toSeq, CancellationToken ct)
    {
        if (window != TimeWindow.All)
        {
            var range = await ChainReader.SeqRangeAsync(factory, tenantId, window, ct);
            fromSeq ??= range?.First ?? 1;
            toSeq ??= range?.Last ?? 0;
        }
        return await VerifyAsync(factory, archive, keys, tenantId, fromSeq ?? 1, toSeq, ct);
    }

    /// <summary>
    /// Walks hot and archived events alike (<see cref="ChainReader.LinksAsync"/>). Where the oldest
    /// events were purged the walk starts at the chain's base, the head recorded when they were.
    /// </summary>
    public static async Task<ChainReport> VerifyAsync(IDbContextFactory<AuditDbContext> factory, ArchiveDirectory archive, SigningKeys keys,
        string tenantId, long fromSeq, long? toSeq, CancellationToken ct, long maxEvents = MaxEventsPerWalk)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var (lastSeq, baseSeq) = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => new ValueTuple<long, long>(t.LastSeq, t.ChainBaseSeq))
            .FirstOrDefaultAsync(ct);
        fromSeq = Math.Max(baseSeq + 1, fromSeq);
        var to = Math.Min(toSeq ?? lastSeq, lastSeq);
        long? nextFrom = null;
        if (to - fromSeq + 1 > maxEvents)
        {
            nextFrom = fromSeq + maxEvents;
            to = nextFrom.Value - 1;
        }
        var checkpoints = await db.Checkpoints.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Seq >= fromSeq && c.Seq <= to).OrderBy(c => c.Seq).ToListAsync(ct);
        var checkpointBefore = await db.Checkpoints.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Seq < fromSeq).OrderByDescending(c => c.Seq).FirstOrDefaultAsync(ct);

        ChainReport Report(long @checked, ChainBreak? broken) =>
            new(tenantId, fromSeq, to, @checked, checkpoints.Count, broken, broken is null ? nextFrom : null);

        // The checkpoints themselves first: each signed by a listed key, naming the one before it.
        var published = keys.Published();
        var previous = checkpointBefore;
        var signed = new List<(long Seq, string Head, long TimeMs)>();
        foreach (var checkpoint in checkpoints)
        {
            var statement = CheckpointStatement.Parse(checkpoint.Statement);
            var key = statement is null ? null : published.Find(statement.KeyId);
            if (statement is null || statement.TenantId != tenantId || statement.Seq != checkpoint.Seq || key is null
                || !key.Verify(Encoding.UTF8.GetBytes(checkpoint.Statement), checkpoint.Signature))
                return Report(0, new(checkpoint.Seq, "bad_checkpoint",
                    $"The checkpoint at seq {checkpoint.Seq} is not signed by a listed key: it was forged or damaged."));
            if (statement.Previous != (previous is null ? null : CheckpointStatement.HashOf(previous.Statement)))
                return Report(0, new(checkpoint.Seq, "bad_checkpoint",
                    $"The checkpoint at seq {checkpoint.Seq} does not name the checkpoint before it: a checkpoint was removed or replaced."));
            signed.Add((statement.Seq, statement.Head, statement.TimeMs));
            previous = checkpoint;
        }

        var head = await ChainReader.HeadAtAsync(factory, archive, tenantId, fromSeq - 1, ct);
        if (head is null)
            return Report(0, new(fromSeq - 1, "missing", $"Seq {fromSeq - 1} is not in the store or the archive, so the walk has no head to start from: an event was removed."));
        var expected = fromSeq;
        var nextCheckpoint = 0;
        var lastGood = checkpointBefore?.Seq ?? 0;
        await foreach (var link in ChainReader.LinksAsync(factory, archive, tenantId, fromSeq, to, ct))
        {
            var seq = link.Seq;
            if (seq != expected)
                return Report(expected - fromSeq, Missing(expected, seq - 1));
            var computed = HashChain.Next(head, link.Leaf, seq);
            if (link.Event is { } hot)
            {
                // An archived event has no head of its own: the next hot event's head and the checkpoints check it.
                if (link.Head is null)
                    return Report(expected - fromSeq, new(seq, "unchained", $"Seq {seq} has no chain head: it was stored outside the writer."));
                if (!computed.AsSpan().SequenceEqual(link.Head))
                    return Report(expected - fromSeq, new(seq, "altered",
                        $"Seq {seq} ({hot.Kind.ToString().ToLowerInvariant()} event, {AuditTime.Print(hot.TimestampMs)}) " +
                        "does not hash to the head stored with it: its contents or its place in the order (or an archived event before it) were changed, or a head was rewritten."));
            }
            head = computed;
            while (nextCheckpoint < signed.Count && signed[nextCheckpoint].Seq == seq)
            {
                var checkpoint = signed[nextCheckpoint++];
                if (checkpoint.Head != HashChain.Hex(head))
                    return Report(expected - fromSeq, new(seq, "rewritten",
                        $"The checkpoint signed at {AuditTime.Print(checkpoint.TimeMs)} says the chain's head at seq {seq} was {checkpoint.Head}; " +
                        $"the store now reads {HashChain.Hex(head)}. Events after seq {lastGood} up to {seq} were replaced and re-hashed."));
                lastGood = seq;
            }
            expected++;
        }
        if (expected <= to) return Report(expected - fromSeq, Missing(expected, to));
        return Report(expected - fromSeq, null);
    }

    private static ChainBreak Missing(long from, long to) => new(from, "missing", from == to
        ? $"Seq {from} is neither in the store nor in a kept archive file: an event was removed."
        : $"Seqs {from} to {to} are neither in the store nor in a kept archive file: events were removed.");
}
