using System.Data.Common;
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
            var inserted = InsertAll(connection, transaction, RequestSql, batch.Requests, BindRequest, committed.Requests)
                + InsertAll(connection, transaction, SecuritySql, batch.Security, BindSecurity, committed.Security)
                + InsertAll(connection, transaction, BusinessSql, batch.Business, BindBusiness, committed.Business);
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

    private static int InsertAll<T>(SqliteConnection connection, SqliteTransaction transaction, string sql,
        List<T> rows, Action<SqliteParameterCollection, T> bind, List<T> newRows)
    {
        if (rows.Count == 0) return 0;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var inserted = 0;
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            bind(command.Parameters, row);
            if (command.ExecuteNonQuery() == 1)
            {
                inserted++;
                newRows.Add(row);
            }
        }
        return inserted;
    }

    private const string RequestSql = """
        INSERT INTO request_events (tenant_id, request_id, timestamp, consumer_id, consumer_name, api_id, method, path,
            status_code, latency_ms, request_size_bytes, response_size_bytes, gateway_version, datacenter,
            key_id, session_id, user_id, client_ip, user_agent, error_message, request_summary)
        VALUES ($tenant, $rid, $ts, $cid, $cname, $api, $method, $path, $status, $latency, $reqb, $resb, $gw, $dc,
            $key, $session, $user, $ip, $ua, $err, $summary)
        ON CONFLICT (tenant_id, request_id) DO NOTHING
        """;

    private static void BindRequest(SqliteParameterCollection p, RequestEvent r)
    {
        p.AddWithValue("$tenant", r.TenantId);
        p.AddWithValue("$rid", r.RequestId);
        p.AddWithValue("$ts", r.TimestampMs);
        p.AddWithValue("$cid", r.ConsumerId);
        p.AddWithValue("$cname", r.ConsumerName);
        p.AddWithValue("$api", r.ApiId);
        p.AddWithValue("$method", r.Method);
        p.AddWithValue("$path", r.Path);
        p.AddWithValue("$status", r.StatusCode);
        p.AddWithValue("$latency", r.LatencyMs);
        p.AddWithValue("$reqb", r.RequestSizeBytes);
        p.AddWithValue("$resb", r.ResponseSizeBytes);
        p.AddWithValue("$gw", r.GatewayVersion);
        p.AddWithValue("$dc", r.Datacenter);
        p.AddWithValue("$key", Nullable(r.KeyId));
        p.AddWithValue("$session", Nullable(r.SessionId));
        p.AddWithValue("$user", Nullable(r.UserId));
        p.AddWithValue("$ip", Nullable(r.ClientIp));
        p.AddWithValue("$ua", Nullable(r.UserAgent));
        p.AddWithValue("$err", Nullable(r.ErrorMessage));
        p.AddWithValue("$summary", Nullable(r.RequestSummary));
    }

    private const string SecuritySql = """
        INSERT INTO security_events (tenant_id, event_id, event_type, timestamp, actor, target, outcome, details)
        VALUES ($tenant, $eid, $type, $ts, $actor, $target, $outcome, $details)
        ON CONFLICT (tenant_id, event_id) DO NOTHING
        """;

    private static void BindSecurity(SqliteParameterCollection p, SecurityEvent s)
    {
        p.AddWithValue("$tenant", s.TenantId);
        p.AddWithValue("$eid", s.EventId);
        p.AddWithValue("$type", s.EventType);
        p.AddWithValue("$ts", s.TimestampMs);
        p.AddWithValue("$actor", s.Actor);
        p.AddWithValue("$target", s.Target);
        p.AddWithValue("$outcome", s.Outcome);
        p.AddWithValue("$details", Nullable(s.Details));
    }

    private const string BusinessSql = """
        INSERT INTO business_events (tenant_id, event_id, timestamp, action, resource_type, resource_id, actor_id,
            changes, metadata, request_id)
        VALUES ($tenant, $eid, $ts, $action, $rtype, $rid, $actor, $changes, $metadata, $request)
        ON CONFLICT (tenant_id, event_id) DO NOTHING
        """;

    private static void BindBusiness(SqliteParameterCollection p, BusinessEvent b)
    {
        p.AddWithValue("$tenant", b.TenantId);
        p.AddWithValue("$eid", b.EventId);
        p.AddWithValue("$ts", b.TimestampMs);
        p.AddWithValue("$action", b.Action);
        p.AddWithValue("$rtype", b.ResourceType);
        p.AddWithValue("$rid", b.ResourceId);
        p.AddWithValue("$actor", b.ActorId);
        p.AddWithValue("$changes", Nullable(b.Changes));
        p.AddWithValue("$metadata", Nullable(b.Metadata));
        p.AddWithValue("$request", Nullable(b.RequestId));
    }

    private static object Nullable(string? value) => (object?)value ?? DBNull.Value;
}

/// <summary>The events one commit added, for whoever watches the tenant live.</summary>
public sealed record CommittedBatch(string TenantId)
{
    public List<RequestEvent> Requests { get; } = [];
    public List<SecurityEvent> Security { get; } = [];
    public List<BusinessEvent> Business { get; } = [];
}
