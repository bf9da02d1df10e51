using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Stores batches atomically: one transaction, prepared INSERTs that skip keys already stored
/// (<c>ON CONFLICT DO NOTHING</c>), and the commit before anyone is told. EF's per-row SaveChanges
/// is several times slower for this, so the hot path is plain SQL over EF's own connection.
/// </summary>
public sealed class EventWriter(IDbContextFactory<AuditDbContext> factory, TimeProvider clock)
{
    // SQLite has one writer at a time; queueing here beats spinning on SQLITE_BUSY.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Raised after a batch commits, with the events that were new.</summary>
    public event Action<CommittedBatch>? Committed;

    public async Task<IngestResult> WriteAsync(string tenantId, EventBatch batch, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var committed = new CommittedBatch(tenantId);

        await _writeLock.WaitAsync(ct);
        try
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            EnsureTenant(connection, transaction, tenantId);
            var inserted = InsertAll(connection, transaction, "request_events", "tenant_id, request_id", RequestColumns, batch.Requests, committed.Requests)
                + InsertAll(connection, transaction, "security_events", "tenant_id, event_id", SecurityColumns, batch.Security, committed.Security)
                + InsertAll(connection, transaction, "business_events", "tenant_id, event_id", BusinessColumns, batch.Business, committed.Business);
            AddToRollups(connection, transaction, committed.Requests);
            await transaction.CommitAsync(ct);
            var result = new IngestResult(inserted, batch.Count - inserted);
            if (inserted > 0) Committed?.Invoke(committed);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
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
    private static int InsertAll<T>(SqliteConnection connection, SqliteTransaction transaction, string table, string conflictKey,
        (string Column, Func<T, object?> Value)[] columns, List<T> rows, List<T> newRows)
    {
        if (rows.Count == 0) return 0;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Column))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))}) ON CONFLICT ({conflictKey}) DO NOTHING";
        // No SqliteType given: each value binds as what it is (INTEGER for numbers, TEXT for strings).
        var parameters = columns.Select((_, i) => command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();
        command.Prepare();
        var inserted = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++) parameters[i].Value = columns[i].Value(row) ?? DBNull.Value;
            if (command.ExecuteNonQuery() == 1)
            {
                inserted++;
                newRows.Add(row);
            }
        }
        return inserted;
    }

    /// <summary>
    /// Counts the batch's new requests (duplicates were not inserted, so are not counted) into the
    /// hourly and daily rollups, in the same transaction: the rollups never disagree with the events.
    /// </summary>
    private static void AddToRollups(SqliteConnection connection, SqliteTransaction transaction, List<RequestEvent> inserted)
    {
        if (inserted.Count == 0) return;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
            VALUES ($t, $span, $b, $c, $s, $n, $r, $i, $o)
            ON CONFLICT (tenant_id, span, bucket, consumer_id, status_code) DO UPDATE SET
                consumer_name = max(consumer_name, excluded.consumer_name),
                requests = requests + excluded.requests,
                bytes_in = bytes_in + excluded.bytes_in,
                bytes_out = bytes_out + excluded.bytes_out
            """;
        var p = new[] { "$t", "$span", "$b", "$c", "$s", "$n", "$r", "$i", "$o" }
            .Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        command.Prepare();
        foreach (var span in RollupQueries.Spans)
            foreach (var g in inserted.GroupBy(r => (r.TenantId, Bucket: r.TimestampMs / span * span, r.ConsumerId, r.StatusCode)))
            {
                p[0].Value = g.Key.TenantId;
                p[1].Value = span;
                p[2].Value = g.Key.Bucket;
                p[3].Value = g.Key.ConsumerId;
                p[4].Value = g.Key.StatusCode;
                p[5].Value = g.Select(r => r.ConsumerName).Max(StringComparer.Ordinal); // as SQLite's max(): binary order
                p[6].Value = g.LongCount();
                p[7].Value = g.Sum(r => r.RequestSizeBytes);
                p[8].Value = g.Sum(r => r.ResponseSizeBytes);
                command.ExecuteNonQuery();
            }
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
}
