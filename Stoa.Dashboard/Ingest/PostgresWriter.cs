using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// The writer's PostgreSQL connection. A batch is written with one binary <c>COPY</c> per kind (Npgsql's
/// importer) straight into the event tables: the tenant's row is locked first (<c>FOR UPDATE</c>: seq is
/// numbered per tenant, never under a global lock), so the keys already stored can be read before the
/// rows are numbered, and nothing else can add one of them until the commit. Row ids are drawn from the
/// tables' own sequences in one round trip.
/// </summary>
public sealed class PostgresWriterConnection(StoreSettings settings, IDbContextFactory<AuditDbContext> factory, RequestPartitions partitions)
    : IWriterConnection
{
    private readonly Lazy<IReadOnlyDictionary<EventKind, NpgsqlDbType[]>> _columnTypes = new(() => ColumnTypes(factory));
    private NpgsqlConnection? _connection;

    public GroupTransaction Begin()
    {
        if (_connection is null)
        {
            var connection = new NpgsqlConnection(settings.ConnectionString);
            connection.Open();
            _connection = connection;
        }
        return new PostgresGroupTransaction(_connection, _connection.BeginTransaction(), _columnTypes.Value, partitions, settings.Instance);
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>Each kind's column types, in <see cref="EventTables.Columns"/> order, from the model (a binary COPY sends exact types).</summary>
    private static IReadOnlyDictionary<EventKind, NpgsqlDbType[]> ColumnTypes(IDbContextFactory<AuditDbContext> factory)
    {
        using var db = factory.CreateDbContext();
        return Enum.GetValues<EventKind>().ToDictionary(kind => kind, kind =>
        {
            var entity = db.Model.GetEntityTypes().Single(t => t.GetTableName() == EventTables.Of(kind) && t.BaseType is null);
            return EventTables.Columns(kind).Select(column => entity.GetProperties().Single(p => p.GetColumnName() == column).GetColumnType() switch
            {
                "bigint" => NpgsqlDbType.Bigint,
                "integer" => NpgsqlDbType.Integer,
                "bytea" => NpgsqlDbType.Bytea,
                "text" => NpgsqlDbType.Text,
                var other => throw new InvalidOperationException($"{EventTables.Of(kind)}.{column} is {other}: the writer does not COPY that type."),
            }).ToArray();
        });
    }
}

public sealed class PostgresGroupTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction,
    IReadOnlyDictionary<EventKind, NpgsqlDbType[]> columnTypes, RequestPartitions partitions, string instance) : GroupTransaction(transaction)
{
    private readonly HashSet<(EventKind, string)> _taken = [];
    private readonly Dictionary<EventKind, List<(AuditEvent Event, byte[]? Head)>> _added = [];

    public override (long LastSeq, byte[]? Head) ClaimTenant(string tenantId, long nowMs)
    {
        // The no-op update locks the tenant's row (as FOR UPDATE would) and returns it, created or not, in one round trip.
        using var command = new NpgsqlCommand("""
            INSERT INTO tenants (tenant_id, created_at_ms, last_seq, chain_base_seq) VALUES ($1, $2, 0, 0)
            ON CONFLICT (tenant_id) DO UPDATE SET last_seq = tenants.last_seq
            RETURNING last_seq, chain_head
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nowMs });
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1));
    }

    /// <summary>
    /// Reads which of the batch's keys are stored already (the tenant's row lock keeps it so until the
    /// commit); then, holding the table, makes sure the request events' months have their partitions.
    /// </summary>
    public override void BeginBatch(string tenantId, IReadOnlyList<AuditEvent> events)
    {
        _taken.Clear();
        _added.Clear();
        foreach (var kind in events.Select(e => e.Kind).Distinct())
        {
            var key = Keys[kind];
            using var command = new NpgsqlCommand(StoredKeysSql(kind), connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Where(e => e.Kind == kind).Select(e => key.Text(e)!).Distinct().ToArray() });
            using var reader = command.ExecuteReader();
            while (reader.Read()) _taken.Add((kind, reader.GetString(0)));
        }
        if (events.Any(e => e.Kind == EventKind.Request))
            partitions.EnsureFor(connection, transaction, events.Where(e => e.Kind == EventKind.Request).Select(e => e.TimestampMs));
    }

    /// <summary>
    /// Which of the keys ($2) the tenant ($1) has stored: one probe of the (tenant, key) index a key.
    /// Asked plainly (<c>tenant_id = $1 AND key = ANY($2)</c>), PostgreSQL plans for the tenant its
    /// statistics know: for a new tenant growing fast they say "next to no rows", and it reads all the
    /// tenant's rows through the (tenant, time) index and filters them, so every batch reads all the
    /// tenant sent before (a second a batch at 100,000 rows). The tenant behind a sub-select is planned
    /// as an average one, and a lookup a key leaves no cheaper way than the key's index.
    /// </summary>
    public static string StoredKeysSql(EventKind kind) => $"""
        SELECT k.key FROM unnest($2::text[]) AS k(key)
        CROSS JOIN LATERAL (SELECT 1 FROM {EventTables.Of(kind)} e WHERE e.tenant_id = (SELECT $1::text) AND e.{EventTables.KeyOf(kind)} = k.key LIMIT 1) AS stored
        """;

    /// <summary>Each kind's key field (<see cref="EventTables.KeyOf"/>), found once: the writer asks for it of every event.</summary>
    private static readonly IReadOnlyDictionary<EventKind, EventField> Keys = Enum.GetValues<EventKind>()
        .ToDictionary(kind => kind, kind => AuditEvent.FieldsOf(kind).Single(f => f.Name == EventTables.KeyOf(kind)));

    public override bool TryAdd(AuditEvent e, byte[]? chainHead)
    {
        var key = Keys[e.Kind].Text(e)!;
        if (!_taken.Add((e.Kind, key))) return false;
        if (!_added.TryGetValue(e.Kind, out var rows)) _added[e.Kind] = rows = [];
        rows.Add((e, chainHead));
        return true;
    }

    public override void EndBatch()
    {
        foreach (var (kind, rows) in _added)
        {
            var ids = NextIds(kind, rows.Count);
            var types = columnTypes[kind];
            var fields = AuditEvent.FieldsOf(kind);
            var columns = EventTables.Columns(kind);
            using var importer = connection.BeginBinaryImport(
                $"COPY {EventTables.Of(kind)} (id, {string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
            for (var r = 0; r < rows.Count; r++)
            {
                var (e, head) = rows[r];
                e.Id = ids[r];
                importer.StartRow();
                importer.Write(e.Id, NpgsqlDbType.Bigint);
                for (var i = 0; i < fields.Count; i++) Write(importer, fields[i], e, types[i]);
                importer.Write(e.Seq, NpgsqlDbType.Bigint);
                if (head is null) importer.WriteNull();
                else importer.Write(head, NpgsqlDbType.Bytea);
            }
            importer.Complete();
        }
    }

    /// <summary>Each value written as its own type: written as an object, every one was boxed and its converter looked up again.</summary>
    private static void Write(NpgsqlBinaryImporter importer, EventField field, AuditEvent e, NpgsqlDbType type)
    {
        if (field.IsNumeric)
        {
            var number = field.Number(e);
            if (type == NpgsqlDbType.Integer) importer.Write(checked((int)number), type);
            else importer.Write(number, type);
        }
        else if (field.Text(e) is { } text) importer.Write(text, type);
        else importer.WriteNull();
    }

    /// <summary>
    /// The next <paramref name="count"/> row ids of the kind's table, in order. The sequence is looked up
    /// once (a materialized CTE): named in each row's <c>nextval</c>, it was looked up for each id, which
    /// cost more than drawing them.
    /// </summary>
    private long[] NextIds(EventKind kind, int count)
    {
        using var command = new NpgsqlCommand($"""
            WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('{EventTables.Of(kind)}', 'id')::regclass AS sequence)
            SELECT nextval(s.sequence) FROM s, generate_series(1, $1)
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        var ids = new List<long>(count);
        using (var reader = command.ExecuteReader())
            while (reader.Read()) ids.Add(reader.GetInt64(0));
        ids.Sort();
        return ids.ToArray();
    }

    /// <summary>
    /// Also notifies the other instances (<see cref="PostgresCommitListener"/>): PostgreSQL delivers it at
    /// the commit, and drops it with the savepoint if the batch fails.
    /// </summary>
    public override void SetLastSeq(string tenantId, long lastSeq, byte[]? head)
    {
        using var command = new NpgsqlCommand($"""
            WITH moved AS (UPDATE tenants SET last_seq = $2, chain_head = $3 WHERE tenant_id = $1 AND last_seq < $2 RETURNING 1)
            SELECT pg_notify('{PostgresCommitListener.Channel}', $4) FROM moved
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lastSeq });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)head ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PostgresCommitListener.Payload(instance, tenantId, lastSeq) });
        command.ExecuteNonQuery();
    }

    /// <summary>All the counts in one statement: arrays unnested into an upsert.</summary>
    public override void AddToRollups(IReadOnlyList<RollupCount> counts)
    {
        if (counts.Count == 0) return;
        using var command = new NpgsqlCommand("""
            INSERT INTO request_rollups AS r (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::integer[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
            ON CONFLICT (tenant_id, span, bucket, consumer_id, status_code) DO UPDATE SET
                consumer_name = GREATEST(r.consumer_name, excluded.consumer_name),
                requests = r.requests + excluded.requests,
                bytes_in = CASE WHEN r.bytes_in > 9223372036854775807 - excluded.bytes_in THEN 9223372036854775807 ELSE r.bytes_in + excluded.bytes_in END,
                bytes_out = CASE WHEN r.bytes_out > 9223372036854775807 - excluded.bytes_out THEN 9223372036854775807 ELSE r.bytes_out + excluded.bytes_out END
            """, connection, transaction);
        void Add<T>(Func<RollupCount, T> column) => command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = counts.Select(column).ToArray() });
        Add(c => c.TenantId);
        Add(c => c.SpanMs);
        Add(c => c.BucketMs);
        Add(c => c.ConsumerId);
        Add(c => c.StatusCode);
        Add(c => c.ConsumerName);
        Add(c => c.Requests);
        Add(c => c.BytesIn);
        Add(c => c.BytesOut);
        command.ExecuteNonQuery();
    }
}
