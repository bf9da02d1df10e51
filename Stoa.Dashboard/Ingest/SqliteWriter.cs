using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// The writer's SQLite connection: prepared INSERTs bound by position (<see cref="PreparedStatement"/>)
/// that skip keys already stored (<c>ON CONFLICT DO NOTHING</c>). EF's per-row SaveChanges is several
/// times slower for this.
/// </summary>
public sealed class SqliteWriterConnection(IDbContextFactory<AuditDbContext> factory, SqliteDurability durability) : IWriterConnection
{
    private SqliteConnection? _connection;

    public GroupTransaction Begin()
    {
        if (_connection is null)
        {
            using var db = factory.CreateDbContext();
            var connection = new SqliteConnection(db.Database.GetConnectionString());
            connection.Open();
            durability.Apply(connection);
            _connection = connection;
        }
        return new SqliteGroupTransaction(_connection, _connection.BeginTransaction());
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
    }
}

public sealed class SqliteGroupTransaction(SqliteConnection connection, SqliteTransaction transaction) : GroupTransaction(transaction)
{
    private readonly Dictionary<EventKind, (PreparedStatement Statement, object?[] Values)> _inserts = [];

    public override (long LastSeq, byte[]? Head) ClaimTenant(string tenantId, long nowMs)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO tenants (tenant_id, created_at_ms, last_seq, chain_base_seq) VALUES ($t, $at, 0, 0) ON CONFLICT DO NOTHING;
            SELECT last_seq, chain_head FROM tenants WHERE tenant_id = $t
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$at", nowMs);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1));
    }

    /// <summary>One prepared INSERT per kind, its columns read from the kind's field table (then <c>seq</c> and <c>chain_head</c>).</summary>
    public override bool TryAdd(AuditEvent e, byte[]? chainHead)
    {
        var fields = e.Fields;
        if (!_inserts.TryGetValue(e.Kind, out var insert))
            _inserts[e.Kind] = insert = (Prepare(e.Kind, fields), new object?[fields.Count + 2]);
        for (var i = 0; i < fields.Count; i++) insert.Values[i] = fields[i].Value(e);
        insert.Values[fields.Count] = e.Seq;
        insert.Values[fields.Count + 1] = chainHead;
        if (insert.Statement.Run(insert.Values) != 1) return false;
        e.Id = insert.Statement.LastInsertRowId;
        return true;
    }

    private PreparedStatement Prepare(EventKind kind, IReadOnlyList<EventField> fields)
    {
        var columns = EventTables.Columns(kind);
        return new PreparedStatement(connection, $"INSERT INTO {EventTables.Of(kind)} ({string.Join(", ", columns)}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "?" + (i + 1)))}) ON CONFLICT (tenant_id, {EventTables.KeyOf(kind)}) DO NOTHING");
    }

    public override void SetLastSeq(string tenantId, long lastSeq, byte[]? head)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE tenants SET last_seq = $s, chain_head = $h WHERE tenant_id = $t AND last_seq < $s";
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$s", lastSeq);
        command.Parameters.AddWithValue("$h", (object?)head ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    public override void AddToRollups(IReadOnlyList<RollupCount> counts)
    {
        if (counts.Count == 0) return;
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
        foreach (var c in counts)
            upsert.Run([c.TenantId, c.SpanMs, c.BucketMs, c.ConsumerId, c.StatusCode, c.ConsumerName, c.Requests, c.BytesIn, c.BytesOut]);
    }

    public override void Dispose()
    {
        foreach (var (statement, _) in _inserts.Values) statement.Dispose();
        base.Dispose();
    }
}
