using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// Realistic request events written bare (a prepared INSERT on SQLite, a binary COPY on PostgreSQL):
/// a few hundred consumers, a few thousand paths, real-looking method and status mixes, time-ordered
/// request ids.
/// </summary>
public static class DataGenerator
{
    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
    private static readonly int[] Statuses = [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 304, 400, 401, 403, 404, 404, 409, 429, 500, 502, 503];

    private static readonly string[] RequestColumns = ["tenant_id", "request_id", "timestamp", "consumer_id", "consumer_name", "api_id", "method", "path",
        "status_code", "latency_ms", "request_size_bytes", "response_size_bytes", "gateway_version", "datacenter", "key_id", "client_ip", "user_agent", "seq"];

    private static readonly string[] SecurityColumns = ["tenant_id", "event_id", "event_type", "timestamp", "actor", "target", "outcome", "details", "seq"];

    /// <returns>Rows per second of the insert.</returns>
    /// <param name="batch">Rows a transaction (each commit is a durable fsync on SQLite).</param>
    public static double Insert(Workspace store, string tenant, int rows, DateTimeOffset end, TimeSpan span, int seed = 7, int batch = 50_000)
    {
        var random = new Random(seed);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var writer = BareWriter.Open(store, "request_events", RequestColumns);
        var startMs = (end - span).ToUnixTimeMilliseconds();
        var stepMs = Math.Max(1, (long)span.TotalMilliseconds / rows);
        var seq = writer.LastSeq(tenant);
        for (var done = 0; done < rows; done += batch)
        {
            writer.Begin();
            for (var i = done; i < Math.Min(rows, done + batch); i++)
            {
                var ts = startMs + i * stepMs;
                var consumer = (int)Math.Min(399, Math.Abs(random.NextDouble() * random.NextDouble() * 400)); // a few busy, a long tail
                var method = Methods[random.Next(Methods.Length)];
                var status = Statuses[random.Next(Statuses.Length)];
                writer.Write(tenant, $"req_{ts:x11}{i:x7}", ts, $"cons_{consumer:D3}", $"consumer-{consumer:D3}", $"api-{consumer % 12:D2}", method,
                    $"/api/v{1 + consumer % 3}/resource{random.Next(60)}/{random.Next(50)}", status, (long)(5 + random.Next(status >= 500 ? 2000 : 200)),
                    (long)(method is "GET" or "HEAD" or "DELETE" ? 0 : random.Next(100, 5000)), (long)random.Next(100, 40_000), "stoa-gw/2.14.3",
                    i % 3 == 0 ? "eu-central-1" : "eu-west-1", $"key_{consumer:D3}", $"198.51.100.{consumer % 250 + 1}", $"client-{consumer % 20}/1.0", ++seq);
            }
            writer.Commit(tenant, seq);
        }
        return rows / started.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Security events beside the requests: a steady trickle of failed auth and rate limits over the
    /// span (one for every <paramref name="per"/> requests), and a brute-force burst on one key in the last day.
    /// </summary>
    public static void InsertSecurity(Workspace store, string tenant, int requests, DateTimeOffset end, TimeSpan span, int per = 50)
    {
        var random = new Random(11);
        using var writer = BareWriter.Open(store, "security_events", SecurityColumns);
        var seq = writer.LastSeq(tenant);
        writer.Begin();
        var startMs = (end - span).ToUnixTimeMilliseconds();
        void Add(long ts, string type, string actor, string target, string outcome, int n) =>
            writer.Write(tenant, $"sec_{n:D9}", type, ts, actor, target, outcome, """{"source":"bench"}""", ++seq);
        var steady = requests / per;
        for (var i = 0; i < steady; i++)
        {
            var ts = startMs + random.NextInt64((long)span.TotalMilliseconds);
            var consumer = random.Next(400);
            if (i % 3 == 0) Add(ts, "rate_limit_exceeded", $"cons_{consumer:D3}", "policy:rate-limit", "blocked", i);
            else Add(ts, "auth_failed", $"203.0.113.{random.Next(1, 255)}", $"key_{consumer:D3}", "failure", i);
        }
        var burstStart = end.ToUnixTimeMilliseconds() - 20 * 3_600_000L;
        for (var i = 0; i < 5_000; i++) Add(burstStart + i * 1_000L, "auth_failed", $"185.220.101.{i % 8}", "key_007", "failure", steady + i);
        writer.Commit(tenant, seq);
    }

    /// <summary>
    /// Rows into one table, a transaction at a time, the tenant's <c>last_seq</c> moved in the same
    /// transaction as the writer moves it: the fastest way each store takes rows, with nothing around it.
    /// </summary>
    private abstract class BareWriter(DbConnection connection) : IDisposable
    {
        protected DbConnection Connection => connection;
        protected DbTransaction? Transaction { get; private set; }

        public static BareWriter Open(Workspace store, string table, string[] columns) =>
            store.OnPostgres ? new CopyWriter((NpgsqlConnection)store.Open(), table, columns) : new InsertWriter((SqliteConnection)store.Open(), table, columns);

        /// <summary>The tenant's last arrival number (its row made if need be), so generated events continue the sequence as the writer would.</summary>
        public long LastSeq(string tenant) => (long)Run("""
            INSERT INTO tenants (tenant_id, created_at_ms, last_seq, chain_base_seq) VALUES (@t, 0, 0, 0) ON CONFLICT DO NOTHING;
            SELECT last_seq FROM tenants WHERE tenant_id = @t
            """, ("@t", tenant))!;

        public virtual void Begin() => Transaction = connection.BeginTransaction();

        public abstract void Write(params object[] values);

        public virtual void Commit(string tenant, long lastSeq)
        {
            Run("UPDATE tenants SET last_seq = @s WHERE tenant_id = @t", ("@t", tenant), ("@s", lastSeq));
            Transaction!.Commit();
            Transaction.Dispose();
            Transaction = null;
        }

        private object? Run(string sql, params (string Name, object Value)[] parameters)
        {
            using var command = connection.CreateCommand();
            command.Transaction = Transaction;
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            return command.ExecuteScalar();
        }

        public virtual void Dispose() => connection.Dispose();
    }

    /// <summary>SQLite: one prepared INSERT bound by position, in WAL with <c>synchronous=FULL</c> as the app runs.</summary>
    private sealed class InsertWriter : BareWriter
    {
        private readonly SqliteCommand _insert;

        public InsertWriter(SqliteConnection connection, string table, string[] columns) : base(connection)
        {
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
                pragma.ExecuteNonQuery();
            }
            _insert = connection.CreateCommand();
            _insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"${i}"))})";
            for (var i = 0; i < columns.Length; i++) _insert.Parameters.Add(new SqliteParameter { ParameterName = $"${i}" });
        }

        public override void Begin()
        {
            base.Begin();
            _insert.Transaction = (SqliteTransaction)Transaction!;
            _insert.Prepare();
        }

        public override void Write(params object[] values)
        {
            for (var i = 0; i < values.Length; i++) _insert.Parameters[i].Value = values[i];
            _insert.ExecuteNonQuery();
        }

        public override void Dispose()
        {
            _insert.Dispose();
            base.Dispose();
        }
    }

    /// <summary>PostgreSQL: a binary COPY of each transaction's rows (Npgsql's importer), as the app's writer copies.</summary>
    private sealed class CopyWriter(NpgsqlConnection connection, string table, string[] columns) : BareWriter(connection)
    {
        private NpgsqlBinaryImporter? _copy;

        public override void Begin()
        {
            base.Begin();
            _copy = connection.BeginBinaryImport($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
        }

        public override void Write(params object[] values) => _copy!.WriteRow(values);

        public override void Commit(string tenant, long lastSeq)
        {
            _copy!.Complete();
            _copy.Dispose();
            base.Commit(tenant, lastSeq);
        }
    }
}
