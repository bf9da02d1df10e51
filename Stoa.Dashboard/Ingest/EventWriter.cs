using System.Collections.Concurrent;
using System.Data.Common;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Stores batches atomically: each batch in a savepoint, keys already stored skipped, and the commit
/// before anyone is told. The SQL is the store's own (<see cref="IWriterConnection"/>: prepared
/// INSERTs on SQLite, binary COPY on PostgreSQL), on a connection kept open between groups.
/// </summary>
/// <remarks>
/// Group commit: batches that arrive while another is being written queue up, and whoever takes the
/// write lock next writes all of them in one transaction. They share one durable commit (an fsync),
/// so concurrent senders get several times the throughput; each batch still lands whole or not at
/// all, because a failing batch rolls back to its own savepoint (its rows and seq numbers; the
/// rollups are counted once for the group, of the batches that stored).
/// </remarks>
public sealed class EventWriter(IWriterConnection store, StoreHealth health, TimeProvider clock, IConfiguration configuration,
    StoaMetrics metrics, ILogger<EventWriter> logger) : IDisposable
{
    /// <summary>
    /// <c>Stoa:Benchmark:WithoutChain</c>: the benchmark's baseline only (what the chain costs at ingest);
    /// events written so have no head, and <c>/verify</c> reports them as unchained.
    /// </summary>
    private readonly bool _chained = !configuration.GetValue<bool>("Stoa:Benchmark:WithoutChain");

    // A group stops growing here, so one transaction stays short for the readers' sake.
    private const int MaxGroupEvents = 20_000;

    // One writer per process: queueing here beats spinning on SQLITE_BUSY (and on PostgreSQL, on the tenant's row lock).
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<PendingWrite> _queue = new();

    /// <summary>Raised after a batch commits, with the events that were new.</summary>
    public event Action<CommittedBatch>? Committed;

    /// <summary>Writes the batch (with whatever else is queued); once called, the batch is written even if the caller stops waiting.</summary>
    public async Task<IngestResult> WriteAsync(string tenantId, EventBatch batch, CancellationToken ct = default)
    {
        // What the chain hashes of each event, but its seq, is ready before the write lock: the hashing left inside it is short.
        var pending = new PendingWrite(tenantId, batch, _chained ? batch.Events.Select(CanonicalEvent.AfterSeq).ToArray() : []);
        _queue.Enqueue(pending);
        await _writeLock.WaitAsync(CancellationToken.None);
        try
        {
            while (!pending.Outcome.Task.IsCompleted) WriteQueuedGroup();
        }
        finally
        {
            _writeLock.Release();
        }
        return await pending.Outcome.Task.WaitAsync(ct);
    }

    private void WriteQueuedGroup()
    {
        var group = new List<PendingWrite>();
        var events = 0;
        while (events < MaxGroupEvents && _queue.TryDequeue(out var next))
        {
            group.Add(next);
            events += next.Batch.Count;
        }
        List<PendingWrite> written;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var activity = StoaMetrics.Activities.StartActivity("stoa.ingest.commit");
        activity?.SetTag("stoa.batches", group.Count);
        activity?.SetTag("stoa.events", events);
        try
        {
            using var transaction = store.Begin();
            written = group.Where(pending => TryWriteInSavepoint(transaction, pending)).ToList();
            // The group's requests are counted into the rollups at once: batches that arrive together share
            // most of their rows (the same consumers in the same minutes), and a failure here fails the group.
            transaction.AddToRollups(RollupCount.Of(written.SelectMany(w => w.Committed!.Events.OfType<RequestEvent>()).ToList()));
            transaction.Commit();
            var committedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var pending in written) pending.Committed!.CommittedAt = committedAt;
        }
        catch (Exception e)
        {
            // The commit failed (disk full, I/O error, the server gone): nothing of the group is stored, and everyone is told.
            store.Dispose();
            if (StoreHealth.Unwritable(e) is { } reason) health.WriteFailed(reason);
            foreach (var pending in group) pending.Outcome.TrySetException(e);
            return;
        }
        health.WriteSucceeded();
        metrics.GroupCommitted(group.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        foreach (var pending in written)
        {
            metrics.BatchStored(pending.TenantId, pending.Committed!.Events, pending.Batch.Count);
            pending.Outcome.TrySetResult(IngestResult.Of(pending.Committed!, pending.Batch.Count));
        }
        // Stored and answered: whoever watches is told after, and a failing watcher fails nobody's ingest.
        foreach (var committed in written.Select(w => w.Committed!).Where(c => c.Count > 0)) Announce(committed);
    }

    /// <summary>Tells whoever watches about a commit: this writer's own, or another instance's read back from the store (<see cref="PostgresCommitListener"/>).</summary>
    public void Announce(CommittedBatch committed)
    {
        try
        {
            Committed?.Invoke(committed);
        }
        catch (Exception e)
        {
            logger.PublishFailed(e, committed.TenantId);
        }
    }

    /// <summary>
    /// Writes one batch in its own savepoint: each new event gets its row id and the tenant's next
    /// arrival number, a duplicate gets neither (the group counts the new requests into the rollups
    /// after its batches). Anything failing rolls back this batch alone, its numbers included, so the
    /// sequence has no gaps.
    /// </summary>
    private bool TryWriteInSavepoint(GroupTransaction transaction, PendingWrite pending)
    {
        transaction.Savepoint();
        try
        {
            var committed = new CommittedBatch(pending.TenantId);
            var (lastSeq, storedHead) = transaction.ClaimTenant(pending.TenantId, clock.GetUtcNow().ToUnixTimeMilliseconds());
            // A tenant's head is set with its first event (and by ChainBackfill for events stored before the chain).
            if (lastSeq > 0 && storedHead is null && _chained) throw new InvalidOperationException($"The chain of {pending.TenantId} was not backfilled.");
            var head = storedHead ?? HashChain.Genesis;
            transaction.BeginBatch(pending.TenantId, pending.Batch.Events);
            for (var i = 0; i < pending.Batch.Events.Count; i++)
            {
                var e = pending.Batch.Events[i];
                e.Seq = lastSeq + 1;
                var nextHead = _chained ? HashChain.Next(head, HashChain.Leaf(e.Seq, pending.Canonical[i]), e.Seq) : head;
                if (!transaction.TryAdd(e, _chained ? nextHead : null))
                {
                    e.Seq = 0; // a duplicate: its key is stored already, under the number it got then
                    continue;
                }
                lastSeq = e.Seq;
                head = nextHead;
                committed.Events.Add(e);
            }
            transaction.EndBatch();
            committed.Head = head;
            transaction.SetLastSeq(pending.TenantId, lastSeq, _chained ? head : null);
            transaction.ReleaseSavepoint();
            pending.Committed = committed;
            return true;
        }
        catch (Exception e) when (e is DbException or OverflowException)
        {
            if (StoreHealth.Unwritable(e) is { } reason)
            {
                // A full disk or an I/O error: the store may already have rolled the whole transaction back, so
                // the group fails as one and every batch of it is told (nothing of it is stored).
                health.WriteFailed(reason);
                throw;
            }
            transaction.RollbackToSavepoint();
            logger.BatchNotStored(e, pending.Batch.Count, pending.TenantId);
            pending.Outcome.TrySetException(e);
            return false;
        }
    }

    public void Dispose() => store.Dispose();

    private sealed class PendingWrite(string tenantId, EventBatch batch, byte[][] canonical)
    {
        public string TenantId { get; } = tenantId;
        public EventBatch Batch { get; } = batch;
        /// <summary>Each event's canonical form after its seq (<see cref="CanonicalEvent.AfterSeq"/>).</summary>
        public byte[][] Canonical { get; } = canonical;
        public CommittedBatch? Committed { get; set; }
        // Completed by whichever caller writes the group; callers continue on their own threads.
        public TaskCompletionSource<IngestResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The events one commit added, for whoever watches the tenant live.</summary>
public sealed record CommittedBatch(string TenantId)
{
    /// <summary>In arrival order: each with its row id and its seq.</summary>
    public List<AuditEvent> Events { get; } = [];
    public int Count => Events.Count;

    /// <summary>The tenant's chain head after the last of them.</summary>
    public byte[] Head { get; set; } = [];

    /// <summary>When the commit returned (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): the live tail's latency counts from here.</summary>
    public long CommittedAt { get; set; }

    /// <summary>Committed by another instance and read back from the store, not written by this one.</summary>
    public bool FromAnotherInstance { get; init; }
}
