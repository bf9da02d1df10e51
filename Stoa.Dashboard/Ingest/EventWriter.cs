using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
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
/// write lock next writes all of them in one transaction. They share one durable commit (an fsync)
/// and one set of rollup upserts, so concurrent senders get several times the throughput; each
/// batch still lands whole or not at all, because a failing batch rolls back to its own savepoint.
/// </remarks>
public sealed class EventWriter(IDbContextFactory<AuditDbContext> factory, TimeProvider clock, ILogger<EventWriter> logger) : IDisposable
{
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
        var pending = new PendingWrite(tenantId, batch);
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
        try
        {
            var connection = OpenConnection();
            using var transaction = connection.BeginTransaction();
            written = group.Where(pending => TryWriteInSavepoint(connection, transaction, pending)).ToList();
            AddToRollups(connection, written.SelectMany(w => w.Committed!.Requests).ToList());
            transaction.Commit();
        }
        catch (Exception e)
        {
            // The commit failed (disk full, I/O error): nothing of the group is stored, and everyone is told.
            CloseConnection();
            foreach (var pending in group) pending.Outcome.TrySetException(e);
            return;
        }
        foreach (var pending in written)
            pending.Outcome.TrySetResult(new IngestResult(pending.Committed!.Count, pending.Batch.Count - pending.Committed.Count));
        // Stored and answered: whoever watches is told after, and a failing watcher fails nobody's ingest.
        foreach (var committed in written.Select(w => w.Committed!).Where(c => c.Count > 0))
            try
            {
                Committed?.Invoke(committed);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Publishing a committed batch of {Tenant} failed", committed.TenantId);
            }
    }

    private bool TryWriteInSavepoint(SqliteConnection connection, SqliteTransaction transaction, PendingWrite pending)
    {
        transaction.Save("batch");
        try
        {
            var (tenantId, batch) = (pending.TenantId, pending.Batch);
            var committed = new CommittedBatch(tenantId);
            EnsureTenant(connection, transaction, tenantId);
            InsertAll(connection, "request_events", "tenant_id, request_id", RequestColumns, batch.Requests, committed.Requests);
            InsertAll(connection, "security_events", "tenant_id, event_id", SecurityColumns, batch.Security, committed.Security);
            InsertAll(connection, "business_events", "tenant_id, event_id", BusinessColumns, batch.Business, committed.Business);
            transaction.Release("batch");
            pending.Committed = committed;
            return true;
        }
        catch (SqliteException e)
        {
            transaction.Rollback("batch");
            logger.LogError(e, "A batch of {Count} events for {Tenant} was not stored", pending.Batch.Count, pending.TenantId);
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
        SqliteDurability.Apply(connection);
        return _connection = connection;
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose() => CloseConnection();

    private sealed class PendingWrite(string tenantId, EventBatch batch)
    {
        public string TenantId { get; } = tenantId;
        public EventBatch Batch { get; } = batch;
        public CommittedBatch? Committed { get; set; }
        // Completed by whichever caller writes the group; callers continue on their own threads.
        public TaskCompletionSource<IngestResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void EnsureTenant(SqliteConnection connection, SqliteTransaction transaction, string tenantId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO tenants (tenant_id, created_at_ms) VALUES ($t, $at) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    /// <summary>Inserts rows with one prepared statement whose parameters are bound once and refilled per row.</summary>
    private static void InsertAll<T>(SqliteConnection connection, string table, string conflictKey,
        (string Column, Func<T, object?> Value)[] columns, List<T> rows, List<T> newRows)
    {
        if (rows.Count == 0) return;
        using var insert = new PreparedStatement(connection, $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Column))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "?" + (i + 1)))}) ON CONFLICT ({conflictKey}) DO NOTHING");
        var values = new object?[columns.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++) values[i] = columns[i].Value(row);
            if (insert.Run(values) == 1) newRows.Add(row);
        }
    }

    /// <summary>
    /// Counts the batch's new requests (duplicates were not inserted, so are not counted) into the
    /// hourly and daily rollups, in the same transaction: the rollups never disagree with the events.
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
                bytes_in = bytes_in + excluded.bytes_in,
                bytes_out = bytes_out + excluded.bytes_out
            """);
        foreach (var span in RollupQueries.Spans)
            foreach (var g in inserted.GroupBy(r => (r.TenantId, Bucket: r.TimestampMs / span * span, r.ConsumerId, r.StatusCode)))
                upsert.Run([g.Key.TenantId, span, g.Key.Bucket, g.Key.ConsumerId, g.Key.StatusCode,
                    g.Select(r => r.ConsumerName).Max(StringComparer.Ordinal), // as SQLite's max(): binary order
                    g.LongCount(), g.Sum(r => r.RequestSizeBytes), g.Sum(r => r.ResponseSizeBytes)]);
    }

    private static readonly (string, Func<RequestEvent, object?>)[] RequestColumns =
    [
        ("tenant_id", r => r.TenantId), ("request_id", r => r.RequestId), ("timestamp", r => r.TimestampMs),
        ("consumer_id", r => r.ConsumerId), ("consumer_name", r => r.ConsumerName), ("api_id", r => r.ApiId), ("method", r => r.Method),
        ("path", r => r.Path), ("status_code", r => r.StatusCode), ("latency_ms", r => r.LatencyMs),
        ("request_size_bytes", r => r.RequestSizeBytes), ("response_size_bytes", r => r.ResponseSizeBytes),
        ("gateway_version", r => r.GatewayVersion), ("datacenter", r => r.Datacenter), ("key_id", r => r.KeyId),
        ("session_id", r => r.SessionId), ("user_id", r => r.UserId), ("client_ip", r => r.ClientIp), ("user_agent", r => r.UserAgent),
        ("error_message", r => r.ErrorMessage), ("request_summary", r => r.RequestSummary),
    ];

    private static readonly (string, Func<SecurityEvent, object?>)[] SecurityColumns =
    [
        ("tenant_id", s => s.TenantId), ("event_id", s => s.EventId), ("event_type", s => s.EventType), ("timestamp", s => s.TimestampMs),
        ("actor", s => s.Actor), ("target", s => s.Target), ("outcome", s => s.Outcome), ("details", s => s.Details),
    ];

    private static readonly (string, Func<BusinessEvent, object?>)[] BusinessColumns =
    [
        ("tenant_id", b => b.TenantId), ("event_id", b => b.EventId), ("timestamp", b => b.TimestampMs), ("action", b => b.Action),
        ("resource_type", b => b.ResourceType), ("resource_id", b => b.ResourceId), ("actor_id", b => b.ActorId),
        ("changes", b => b.Changes), ("metadata", b => b.Metadata), ("request_id", b => b.RequestId),
    ];
}

/// <summary>The events one commit added, for whoever watches the tenant live.</summary>
public sealed record CommittedBatch(string TenantId)
{
    public List<RequestEvent> Requests { get; } = [];
    public List<SecurityEvent> Security { get; } = [];
    public List<BusinessEvent> Business { get; } = [];
    public int Count => Requests.Count + Security.Count + Business.Count;
}
