using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Stores batches atomically: prepared INSERTs that skip keys already stored (<c>ON CONFLICT DO
/// NOTHING</c>), each batch in a savepoint, and the commit before anyone is told. EF's per-row
/// SaveChanges is several times slower for this, so the hot path is plain SQL on a connection of
/// its own, kept open so its page cache stays warm between batches.
/// </summary>
/// <remarks>
/// Group commit: batches that arrive while another is being written queue up, and whoever takes the
/// write lock next writes all of them in one transaction. They share one durable commit (an fsync),
/// so concurrent senders get several times the throughput; each batch still lands whole or not at
/// all, because a failing batch rolls back to its own savepoint (its rows, rollups and seq numbers).
/// </remarks>
public sealed class EventWriter(IDbContextFactory<AuditDbContext> factory, SqliteDurability durability, StoreHealth health,
    TimeProvider clock, IConfiguration configuration, StoaMetrics metrics, ILogger<EventWriter> logger) : IDisposable
{
    /// <summary>
    /// <c>Stoa:Benchmark:WithoutChain</c>: the benchmark's baseline only (what the chain costs at ingest);
    /// events written so have no head, and <c>/verify</c> reports them as unchained.
    /// </summary>
    private readonly bool _chained = !configuration.GetValue<bool>("Stoa:Benchmark:WithoutChain");

    // A group stops growing here, so one transaction stays short for the readers' sake.
    private const int MaxGroupEvents = 20_000;

    // SQLite has one writer at a time; queueing here beats spinning on SQLITE_BUSY.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private SqliteConnection? _connection;

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
            var connection = OpenConnection();
            using var transaction = connection.BeginTransaction();
            using var inserts = new KindInserts(connection);
            written = group.Where(pending => TryWriteInSavepoint(connection, transaction, inserts, pending)).ToList();
            transaction.Commit();
            var committedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var pending in written) pending.Committed!.CommittedAt = committedAt;
        }
        catch (Exception e)
        {
            // The commit failed (disk full, I/O error): nothing of the group is stored, and everyone is told.
            CloseConnection();
            if (e is SqliteException sqlite && StoreHealth.Unwritable(sqlite) is { } reason) health.WriteFailed(reason);
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
        foreach (var committed in written.Select(w => w.Committed!).Where(c => c.Count > 0))
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
    /// arrival number, a duplicate gets neither, and the rollups count the new requests. Anything
    /// failing rolls back this batch alone, its numbers included, so the sequence has no gaps.
    /// </summary>
    private bool TryWriteInSavepoint(SqliteConnection connection, SqliteTransaction transaction, KindInserts inserts, PendingWrite pending)
    {
        transaction.Save("batch");
        try
        {
            var committed = new CommittedBatch(pending.TenantId);
            var (lastSeq, head) = ClaimTenant(connection, transaction, pending.TenantId);
            for (var i = 0; i < pending.Batch.Events.Count; i++)
            {
                var e = pending.Batch.Events[i];
                e.Seq = lastSeq + 1;
                var nextHead = _chained ? HashChain.Next(head, HashChain.Leaf(e.Seq, pending.Canonical[i]), e.Seq) : head;
                if (!inserts.TryInsert(e, _chained ? nextHead : null))
                {
                    e.Seq = 0; // a duplicate: its key is stored already, under the number it got then
                    continue;
                }
                e.Id = inserts.LastRowId;
                lastSeq = e.Seq;
                head = nextHead;
                committed.Events.Add(e);
            }
            committed.Head = head;
            SetLastSeq(connection, transaction, pending.TenantId, lastSeq, _chained ? head : null);
            AddToRollups(connection, committed.Events.OfType<RequestEvent>().ToList());
            transaction.Release("batch");
            pending.Committed = committed;
            return true;
        }
        catch (Exception e) when (e is SqliteException or OverflowException)
        {
            if (e is SqliteException sqlite && StoreHealth.Unwritable(sqlite) is { } reason)
            {
                // A full disk or an I/O error: SQLite may already have rolled the whole transaction back, so
                // the group fails as one and every batch of it is told (nothing of it is stored).
                health.WriteFailed(reason);
                throw;
            }
            transaction.Rollback("batch");
            logger.BatchNotStored(e, pending.Batch.Count, pending.TenantId);
            pending.Outcome.TrySetException(e);
            return false;
        }
    }

    private SqliteConnection OpenConnection()
    {
        if (_connection is not null) return _connection;
        using var db = factory.CreateDbContext();
        var connection = new SqliteConnection(db.Database.GetConnectionString());
        connection.Open();
        durability.Apply(connection);
        return _connection = connection;
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose() => CloseConnection();

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

    /// <summary>Creates the tenant on its first event and returns the last arrival number it gave and its chain's head there.</summary>
    private (long LastSeq, byte[] Head) ClaimTenant(SqliteConnection connection, SqliteTransaction transaction, string tenantId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO tenants (tenant_id, created_at_ms, last_seq) VALUES ($t, $at, 0) ON CONFLICT DO NOTHING;
            SELECT last_seq, chain_head FROM tenants WHERE tenant_id = $t
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        reader.Read();
        var lastSeq = reader.GetInt64(0);
        // A tenant's head is set with its first event (and by ChainBackfill for events stored before the chain).
        var head = reader.IsDBNull(1) ? HashChain.Genesis : (byte[])reader.GetValue(1);
        if (lastSeq > 0 && reader.IsDBNull(1) && _chained) throw new InvalidOperationException($"The chain of {tenantId} was not backfilled.");
        return (lastSeq, head);
    }

    private static void SetLastSeq(SqliteConnection connection, SqliteTransaction transaction, string tenantId, long lastSeq, byte[]? head)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE tenants SET last_seq = $s, chain_head = $h WHERE tenant_id = $t AND last_seq < $s";
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$s", lastSeq);
        command.Parameters.AddWithValue("$h", (object?)head ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// One prepared INSERT per kind, its columns read from the kind's field table (then <c>seq</c> and <c>chain_head</c>),
    /// skipping keys already stored (<c>ON CONFLICT DO NOTHING</c>).
    /// </summary>
    private sealed class KindInserts(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<EventKind, (PreparedStatement Statement, object?[] Values)> _inserts = [];

        public long LastRowId { get; private set; }

        /// <summary>Inserts the event; false when its key is already stored.</summary>
        public bool TryInsert(AuditEvent e, byte[]? chainHead)
        {
            var fields = e.Fields;
            if (!_inserts.TryGetValue(e.Kind, out var insert))
                _inserts[e.Kind] = insert = (Prepare(e.Kind, fields), new object?[fields.Count + 2]);
            for (var i = 0; i < fields.Count; i++) insert.Values[i] = fields[i].Value(e);
            insert.Values[fields.Count] = e.Seq;
            insert.Values[fields.Count + 1] = chainHead;
            if (insert.Statement.Run(insert.Values) != 1) return false;
            LastRowId = insert.Statement.LastInsertRowId;
            return true;
        }

        private PreparedStatement Prepare(EventKind kind, IReadOnlyList<EventField> fields)
        {
            var key = kind == EventKind.Request ? "tenant_id, request_id" : "tenant_id, event_id";
            var columns = fields.Append(EventField.Seq).Select(f => f.Name).Append(HashChain.Column).ToList();
            return new PreparedStatement(connection, $"INSERT INTO {EventTables.Of(kind)} ({string.Join(", ", columns)}) " +
                $"VALUES ({string.Join(", ", columns.Select((_, i) => "?" + (i + 1)))}) ON CONFLICT ({key}) DO NOTHING");
        }

        public void Dispose()
        {
            foreach (var (statement, _) in _inserts.Values) statement.Dispose();
        }
    }

    /// <summary>
    /// Counts the batch's new requests (duplicates were not inserted, so are not counted) into the
    /// hourly and daily rollups, in the batch's savepoint: the rollups never disagree with the
    /// events, and a batch whose rollups cannot be written fails alone.
    /// </summary>
    private static void AddToRollups(SqliteConnection connection, List<RequestEvent> inserted)
    {
        if (inserted.Count == 0) return;
        using var upsert = new PreparedStatement(connection, """
            INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT (tenant_id, span, bucket, consumer_id, status_code) DO UPDATE SET
                consumer_name = max(consumer_name, excluded.consumer_name),
                requests = requests + excluded.requests,
                -- saturating: SQLite would turn an overflowing sum into a REAL
                bytes_in = CASE WHEN bytes_in > 9223372036854775807 - excluded.bytes_in THEN 9223372036854775807 ELSE bytes_in + excluded.bytes_in END,
                bytes_out = CASE WHEN bytes_out > 9223372036854775807 - excluded.bytes_out THEN 9223372036854775807 ELSE bytes_out + excluded.bytes_out END
            """);
        foreach (var span in RollupQueries.Spans)
            foreach (var g in inserted.GroupBy(r => (r.TenantId, Bucket: r.TimestampMs / span * span, r.ConsumerId, r.StatusCode)))
                upsert.Run([g.Key.TenantId, span, g.Key.Bucket, g.Key.ConsumerId, g.Key.StatusCode,
                    g.Select(r => r.ConsumerName).Max(StringComparer.Ordinal), // as SQLite's max(): binary order
                    g.LongCount(), g.Sum(r => r.RequestSizeBytes), g.Sum(r => r.ResponseSizeBytes)]);
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
}
