using Microsoft.Data.Sqlite;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// Realistic request events written with a bare prepared INSERT: a few hundred consumers, a few
/// thousand paths, real-looking method and status mixes, time-ordered request ids.
/// </summary>
public static class DataGenerator
{
    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
    private static readonly int[] Statuses = [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 304, 400, 401, 403, 404, 404, 409, 429, 500, 502, 503];

    /// <returns>Rows per second of the insert.</returns>
    /// <param name="batch">Rows a transaction (each commit is a durable fsync).</param>
    public static double Insert(string connectionString, string tenant, int rows, DateTimeOffset end, TimeSpan span, int seed = 7,
        int batch = 50_000)
    {
        var random = new Random(seed);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
            pragma.ExecuteNonQuery();
        }
        var startMs = (end - span).ToUnixTimeMilliseconds();
        var stepMs = Math.Max(1, (long)span.TotalMilliseconds / rows);
        var seq = LastSeq(connection, tenant);
        for (var done = 0; done < rows; done += batch)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO request_events (tenant_id, request_id, timestamp, consumer_id, consumer_name, api_id, method, path,
                    status_code, latency_ms, request_size_bytes, response_size_bytes, gateway_version, datacenter, key_id, client_ip, user_agent, seq)
                VALUES ($t, $rid, $ts, $c, $cn, $api, $m, $p, $s, $l, $rq, $rs, 'stoa-gw/2.14.3', $dc, $k, $ip, $ua, $seq)
                """;
            var p = new Dictionary<string, SqliteParameter>();
            foreach (var name in new[] { "$t", "$rid", "$ts", "$c", "$cn", "$api", "$m", "$p", "$s", "$l", "$rq", "$rs", "$dc", "$k", "$ip", "$ua", "$seq" })
                p[name] = command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            for (var i = done; i < Math.Min(rows, done + batch); i++)
            {
                var ts = startMs + i * stepMs;
                var consumer = (int)Math.Min(399, Math.Abs(random.NextDouble() * random.NextDouble() * 400)); // a few busy, a long tail
                var method = Methods[random.Next(Methods.Length)];
                var status = Statuses[random.Next(Statuses.Length)];
                p["$t"].Value = tenant;
                p["$rid"].Value = $"req_{ts:x11}{i:x7}";
                p["$ts"].Value = ts;
                p["$c"].Value = $"cons_{consumer:D3}";
                p["$cn"].Value = $"consumer-{consumer:D3}";
                p["$api"].Value = $"api-{consumer % 12:D2}";
                p["$m"].Value = method;
                p["$p"].Value = $"/api/v{1 + consumer % 3}/resource{random.Next(60)}/{random.Next(50)}";
                p["$s"].Value = status;
                p["$l"].Value = 5 + random.Next(status >= 500 ? 2000 : 200);
                p["$rq"].Value = method is "GET" or "HEAD" or "DELETE" ? 0 : random.Next(100, 5000);
                p["$rs"].Value = random.Next(100, 40_000);
                p["$dc"].Value = i % 3 == 0 ? "eu-central-1" : "eu-west-1";
                p["$k"].Value = $"key_{consumer:D3}";
                p["$ip"].Value = $"198.51.100.{consumer % 250 + 1}";
                p["$ua"].Value = $"client-{consumer % 20}/1.0";
                p["$seq"].Value = ++seq;
                command.ExecuteNonQuery();
            }
            SetLastSeq(connection, transaction, tenant, seq);
            transaction.Commit();
        }
        return rows / started.Elapsed.TotalSeconds;
    }

    /// <summary>The tenant's last arrival number (its row made if need be), so generated events continue the sequence as the writer would.</summary>
    private static long LastSeq(SqliteConnection connection, string tenant)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tenants (tenant_id, created_at_ms, last_seq) VALUES ($t, 0, 0) ON CONFLICT DO NOTHING;
            SELECT last_seq FROM tenants WHERE tenant_id = $t
            """;
        command.Parameters.AddWithValue("$t", tenant);
        return (long)command.ExecuteScalar()!;
    }

    private static void SetLastSeq(SqliteConnection connection, SqliteTransaction transaction, string tenant, long seq)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE tenants SET last_seq = $s WHERE tenant_id = $t";
        command.Parameters.AddWithValue("$t", tenant);
        command.Parameters.AddWithValue("$s", seq);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Security events beside the requests: a steady trickle of failed auth and rate limits over the
    /// span (one for every <paramref name="per"/> requests), and a brute-force burst on one key in the last day.
    /// </summary>
    public static void InsertSecurity(string connectionString, string tenant, int requests, DateTimeOffset end, TimeSpan span, int per = 50)
    {
        var random = new Random(11);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        var seq = LastSeq(connection, tenant);
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO security_events (tenant_id, event_id, event_type, timestamp, actor, target, outcome, details, seq)
            VALUES ($t, $id, $type, $ts, $actor, $target, $outcome, '{"source":"bench"}', $seq)
            """;
        var p = new[] { "$t", "$id", "$type", "$ts", "$actor", "$target", "$outcome", "$seq" }.ToDictionary(n => n, n => command.Parameters.Add(new SqliteParameter { ParameterName = n }));
        command.Prepare();
        var startMs = (end - span).ToUnixTimeMilliseconds();
        void Add(long ts, string type, string actor, string target, string outcome, int n)
        {
            p["$t"].Value = tenant; p["$id"].Value = $"sec_{n:D9}"; p["$type"].Value = type; p["$ts"].Value = ts;
            p["$actor"].Value = actor; p["$target"].Value = target; p["$outcome"].Value = outcome; p["$seq"].Value = ++seq;
            command.ExecuteNonQuery();
        }
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
        SetLastSeq(connection, transaction, tenant, seq);
        transaction.Commit();
    }
}
