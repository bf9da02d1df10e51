using System.Data.Common;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// What <see cref="EventWriter"/> needs of its store for one group commit, written once per provider:
/// one transaction, a savepoint per batch, the tenant's numbering claimed, the new events added, the
/// rollups counted. The writer keeps the rules (numbering, the chain, what fails alone); this keeps the SQL.
/// </summary>
public abstract class GroupTransaction(DbTransaction transaction) : IDisposable
{
    public void Savepoint() => transaction.Save("batch");
    public void ReleaseSavepoint() => transaction.Release("batch");
    public void RollbackToSavepoint() => transaction.Rollback("batch");
    public void Commit() => transaction.Commit();

    /// <summary>Creates the tenant on its first event and returns the last seq it gave and its chain's head there (null before the chain).</summary>
    public abstract (long LastSeq, byte[]? Head) ClaimTenant(string tenantId, long nowMs);

    /// <summary>The batch's events are about to be offered to <see cref="TryAdd"/>, in order.</summary>
    public virtual void BeginBatch(string tenantId, IReadOnlyList<AuditEvent> events) { }

    /// <summary>Adds the event (its seq set); false when its key is stored already or came earlier in the batch.</summary>
    public abstract bool TryAdd(AuditEvent e, byte[]? chainHead);

    /// <summary>Everything <see cref="TryAdd"/> took is in the store now and has its row id.</summary>
    public virtual void EndBatch() { }

    public abstract void SetLastSeq(string tenantId, long lastSeq, byte[]? head);

    /// <summary>Adds the counts to the rollups, saturating the byte sums.</summary>
    public abstract void AddToRollups(IReadOnlyList<RollupCount> counts);

    public virtual void Dispose() => transaction.Dispose();
}

/// <summary>One rollup row's share of a batch: what <see cref="GroupTransaction.AddToRollups"/> adds.</summary>
public sealed record RollupCount(string TenantId, long SpanMs, long BucketMs, string ConsumerId, int StatusCode, string ConsumerName,
    long Requests, long BytesIn, long BytesOut)
{
    /// <summary>
    /// The batch's new requests counted into every rollup span: each event a count of one, each span
    /// counted from the one before it (they nest), so the events are grouped once.
    /// </summary>
    public static List<RollupCount> Of(IReadOnlyCollection<RequestEvent> inserted)
    {
        IReadOnlyList<RollupCount> level = inserted.Select(r => new RollupCount(r.TenantId, 0, r.TimestampMs, r.ConsumerId, r.StatusCode,
            r.ConsumerName, 1, r.RequestSizeBytes, r.ResponseSizeBytes)).ToList();
        var counts = new List<RollupCount>();
        foreach (var span in RollupQueries.Spans)
        {
            level = level.GroupBy(c => (c.TenantId, Bucket: c.BucketMs / span * span, c.ConsumerId, c.StatusCode))
                .Select(g => new RollupCount(g.Key.TenantId, span, g.Key.Bucket, g.Key.ConsumerId, g.Key.StatusCode,
                    g.Select(c => c.ConsumerName).Max(StringComparer.Ordinal)!, // as the store's max(): byte order
                    g.Sum(c => c.Requests), g.Sum(c => c.BytesIn), g.Sum(c => c.BytesOut)))
                .ToList();
            counts.AddRange(level);
        }
        return counts;
    }
}

/// <summary>The writer's own connection to the store, kept open between groups so its caches stay warm.</summary>
public interface IWriterConnection : IDisposable
{
    GroupTransaction Begin();
}
