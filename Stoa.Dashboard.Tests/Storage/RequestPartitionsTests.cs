using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>
/// PostgreSQL keeps request events in a partition per UTC month: this month's and the next two are
/// made ahead, a past month's when its first event arrives, and retention drops a past month once
/// every tenant's events have left it. An existing store's rows move into the partitions as they were.
/// </summary>
public sealed class RequestPartitionsTests : IAsyncLifetime
{
    private readonly StoaApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string ConnectionString => _app.Services.GetRequiredService<StoreSettings>().ConnectionString;

    private async Task<List<string>> PartitionsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'request_events'::regclass ORDER BY 1", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Which partition holds each of the tenant's request events.</summary>
    private async Task<Dictionary<string, string>> WhereStoredAsync(string tenant)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT request_id, tableoid::regclass::text FROM request_events WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        var stored = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) stored[reader.GetString(0)] = reader.GetString(1);
        return stored;
    }

    [PostgresFact]
    public async Task Each_request_event_is_stored_in_its_months_partition_and_the_months_ahead_are_made_at_the_start()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant); // the app has started: March 2026 by its clock
        Assert.Equal(["request_events_2026_03", "request_events_2026_04", "request_events_2026_05"], await PartitionsAsync());

        await client.IngestAsync(tenant,
            Wire.Request("last-june", new DateTimeOffset(2025, 6, 30, 23, 59, 59, 999, TimeSpan.Zero)),
            Wire.Request("first-of-july", new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero)),
            Wire.Request("now", StoaApp.Epoch));
        await client.IngestAsync(tenant, Wire.Request("june-again", new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal(new Dictionary<string, string>
        {
            ["last-june"] = "request_events_2025_06", ["june-again"] = "request_events_2025_06",
            ["first-of-july"] = "request_events_2025_07", ["now"] = "request_events_2026_03",
        }, await WhereStoredAsync(tenant));
        Assert.Equal(["request_events_2025_06", "request_events_2025_07", "request_events_2026_03", "request_events_2026_04", "request_events_2026_05"],
            await PartitionsAsync());
        var july = await client.GetAsync($"/v1/audit/{tenant}?from=2025-07-01T00:00:00Z&to=2025-08-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, july.StatusCode);
        var body = await july.Content.ReadAsStringAsync();
        Assert.Contains("first-of-july", body);
        Assert.DoesNotContain("last-june", body);
    }

    [PostgresFact]
    public async Task Retention_drops_a_past_month_once_every_tenants_events_have_left_it_and_keeps_one_a_hold_keeps_events_in()
    {
        var archived = StoaApp.NewTenant();
        var held = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(archived, held);
        // Both tenants have events in October 2025; only the held one in November. Both months are past the 90 hot days.
        await client.IngestAsync(archived, Wire.Request("a-oct", new DateTimeOffset(2025, 10, 10, 0, 0, 0, TimeSpan.Zero)), Wire.Request("a-now", StoaApp.Epoch));
        await client.IngestAsync(held, Wire.Request("h-oct", new DateTimeOffset(2025, 10, 11, 0, 0, 0, TimeSpan.Zero)),
            Wire.Request("h-nov", new DateTimeOffset(2025, 11, 5, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/v1/audit/{held}/holds?reason=Matter%2042", null)).StatusCode);

        var retention = _app.Services.GetRequiredService<RetentionService>();
        await retention.RunOnceAsync(archived);
        Assert.Contains("request_events_2025_10", await PartitionsAsync()); // the held tenant's October event is still in it

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/audit/{held}/holds/1")).StatusCode);
        await retention.RunOnceAsync();
        Assert.Equal(["request_events_2026_03", "request_events_2026_04", "request_events_2026_05"], await PartitionsAsync());
        Assert.Equal(["a-now"], (await WhereStoredAsync(archived)).Keys);
        Assert.Empty(await WhereStoredAsync(held));

        // A late event for a dropped month makes its partition again.
        await client.IngestAsync(held, Wire.Request("h-oct-late", new DateTimeOffset(2025, 10, 12, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("request_events_2025_10", (await WhereStoredAsync(held))["h-oct-late"]);
    }

    [PostgresFact]
    public async Task The_writers_read_of_stored_ids_probes_the_id_index_even_for_a_tenant_the_statistics_have_not_seen()
    {
        await _app.OperatorAsync("t_any"); // started and migrated
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        async Task ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        const string Insert = """
            INSERT INTO request_events (tenant_id, request_id, timestamp, consumer_id, consumer_name, api_id, method, path, status_code,
                latency_ms, request_size_bytes, response_size_bytes, gateway_version, datacenter, seq)
            SELECT '{0}', '{0}_' || n, 1773230400000 + n, 'c', 'c', 'api', 'GET', '/x', 200, 1, 1, 1, 'gw', 'dc', n FROM generate_series(1, {1}) AS n
            """; // March 2026
        await ExecuteAsync(string.Format(Insert, "t_known", 20_000));
        await ExecuteAsync("ANALYZE request_events");
        await ExecuteAsync(string.Format(Insert, "t_new", 20_000)); // since the statistics: they think t_new has next to no rows

        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + Stoa.Dashboard.Ingest.PostgresGroupTransaction.StoredKeysSql(Stoa.Dashboard.Events.EventKind.Request), connection);
        explain.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "t_new" });
        explain.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = Enumerable.Range(1, 1000).Select(n => $"t_new_{n * 7}").ToArray() });
        var plan = System.Text.Json.Nodes.JsonNode.Parse((string)(await explain.ExecuteScalarAsync())!)![0]!["Plan"]!;
        var march = Nodes(plan).Single(n => (string?)n["Relation Name"] == "request_events_2026_03"); // the month the rows are in
        Assert.Equal("request_events_2026_03_tenant_id_request_id_idx", (string?)march["Index Name"]);
        Assert.EndsWith("AND (request_id = k.key))", (string?)march["Index Cond"]); // the id bounds the index scan
        Assert.Null(march["Filter"]); // rather than filtering every row of the tenant's
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonNode> Nodes(System.Text.Json.Nodes.JsonNode plan) =>
        new[] { plan }.Concat(plan["Plans"]?.AsArray().SelectMany(child => Nodes(child!)) ?? []);

    [PostgresFact]
    public async Task A_store_made_before_the_partitioning_keeps_its_rows_ids_and_numbering_when_migrated()
    {
        var settings = TestStore.Settings(_app.DatabasePath);
        var options = new DbContextOptionsBuilder<PostgresAuditDbContext>().UseNpgsql(settings["ConnectionStrings:Audit"]).Options;
        await using (var db = new PostgresAuditDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261204044620_InitialSchema");
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO request_events (tenant_id, request_id, timestamp, consumer_id, consumer_name, api_id, method, path, status_code,
                    latency_ms, request_size_bytes, response_size_bytes, gateway_version, datacenter, seq)
                SELECT 't_old', 'r' || n, 1767225600000 + (n - 3) * 86400000, 'c', 'c', 'api', 'GET', '/x', 200, 1, 1, 1, 'gw', 'dc', n
                FROM generate_series(1, 4) AS n;
                INSERT INTO tenants (tenant_id, created_at_ms, last_seq, chain_base_seq) VALUES ('t_old', 0, 4, 0);
                """); // Dec 30 and 31 2025, Jan 1 and 2 2026
        }

        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant); // the app's start applies the rest
        Assert.Equal(new Dictionary<string, string>
        {
            ["r1"] = "request_events_2025_12", ["r2"] = "request_events_2025_12", ["r3"] = "request_events_2026_01", ["r4"] = "request_events_2026_01",
        }, await WhereStoredAsync("t_old"));
        await client.IngestAsync(tenant, Wire.Request("new", StoaApp.Epoch));
        await using var after = new PostgresAuditDbContext(options);
        var ids = await after.Requests.OrderBy(e => e.Id).Select(e => new { e.RequestId, e.Id }).ToListAsync();
        Assert.Equal(["r1", "r2", "r3", "r4", "new"], ids.Select(i => i.RequestId));
        Assert.Equal([1L, 2, 3, 4, 5], ids.Select(i => i.Id));
    }
}
