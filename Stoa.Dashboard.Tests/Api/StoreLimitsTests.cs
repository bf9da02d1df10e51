using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>A store that cannot be written answers writes with 503 and what it is, keeps answering reads, and says so on /readyz.</summary>
public sealed class FullStoreTests(FullStoreTests.App app) : IClassFixture<FullStoreTests.App>
{
    public sealed class App : StoaApp
    {
        public App() => Settings["Stoa:Store:MaxSizeMegabytes"] = "1"; // as a full disk, without filling one
    }

    [SqliteFact] // Stoa:Store:MaxSizeMegabytes is SQLite's
    public async Task Writes_get_503_with_retry_after_reads_keep_working_and_health_says_why()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var batch = 0; batch < 200 && refused is null; batch++)
        {
            var events = Enumerable.Range(0, 200).Select(i => (JsonNode)Wire.Request($"b{batch}_{i}", StoaApp.Epoch.AddMinutes(-batch).AddMilliseconds(i))).ToArray();
            var response = await client.PostAsync(tenant, events);
            if (response.IsSuccessStatusCode) accepted += (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["accepted"]!;
            else refused = response;
        }
        Assert.NotNull(refused);
        var problem = await refused.ProblemAsync(503);
        Assert.Contains("full", (string?)problem["detail"]);
        Assert.Equal("60", refused.Headers.RetryAfter?.ToString());

        // Reads go on, even when the token's last use is due to be written (a minute later).
        app.Clock.Now = app.Clock.Now.AddMinutes(2);
        var stored = await client.GetJsonAsync($"/v1/audit/{tenant}?limit=10000");
        Assert.Equal(accepted, stored["logs"]!.AsArray().Count); // the refused batch left nothing behind

        var health = await app.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("full", (string?)JsonNode.Parse(await health.Content.ReadAsStringAsync())!["checks"]!["store"]!["detail"]);
        Assert.True((await app.CreateClient().GetAsync("/healthz")).IsSuccessStatusCode); // alive: a restart would not give the disk room
    }
}

/// <summary>
/// The same on PostgreSQL: a server that refuses writes for a full disk (SQLSTATE 53100; raised here by a
/// trigger, since a test cannot fill the server's disk) gets the same answers, and once it takes writes
/// again so does the app.
/// </summary>
public sealed class FullPostgresStoreTests : IAsyncLifetime
{
    private readonly StoaApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_app.Services.GetRequiredService<Stoa.Dashboard.Storage.StoreSettings>().ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [PostgresFact]
    public async Task Writes_refused_for_a_full_disk_get_503_with_retry_after_and_go_on_once_there_is_room()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        Assert.Equal((1, 0), await client.IngestAsync(tenant, Wire.Request("before", StoaApp.Epoch.AddMinutes(-3))));
        await ExecuteAsync("""
            CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
            CREATE TRIGGER disk_full BEFORE INSERT ON request_events FOR EACH ROW EXECUTE FUNCTION disk_full();
            """);

        var refused = await client.PostAsync(tenant, Wire.Request("during", StoaApp.Epoch.AddMinutes(-2)));
        Assert.Contains("full", (string?)(await refused.ProblemAsync(503))["detail"]);
        Assert.Equal("60", refused.Headers.RetryAfter?.ToString());
        Assert.Single((await client.GetJsonAsync($"/v1/audit/{tenant}"))["logs"]!.AsArray()); // reads go on; nothing of the refused batch
        var health = await _app.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("full", (string?)JsonNode.Parse(await health.Content.ReadAsStringAsync())!["checks"]!["store"]!["detail"]);

        await ExecuteAsync("DROP TRIGGER disk_full ON request_events");
        Assert.Equal((1, 0), await client.IngestAsync(tenant, Wire.Request("during", StoaApp.Epoch.AddMinutes(-2))));
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient().GetAsync("/readyz")).StatusCode);
        Assert.Equal(["before", "during"], (await client.GetJsonAsync($"/v1/audit/{tenant}?order=asc"))["logs"]!.AsArray().Select(e => (string)e!["request_id"]!));
    }
}

/// <summary>Ingest holds a bounded number of bodies: beyond the running and waiting ones, a sender is told to come back.</summary>
public sealed class IngestBackPressureTests(IngestBackPressureTests.App app) : IClassFixture<IngestBackPressureTests.App>
{
    public sealed class App : StoaApp
    {
        public App()
        {
            Settings["Stoa:Ingest:MaxConcurrentBatches"] = "1";
            Settings["Stoa:Ingest:MaxQueuedBatches"] = "0";
        }
    }

    [Fact]
    public async Task A_batch_beyond_the_running_ones_gets_503_with_retry_after_and_is_taken_once_there_is_room()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var gate = app.Services.GetRequiredService<IngestGate>();

        // Another batch holds the only turn (as a slow sender does while its body arrives).
        using (var held = await gate.EnterAsync(CancellationToken.None))
        {
            Assert.NotNull(held);
            var busy = await client.PostAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddMinutes(-1)));
            var problem = await busy.ProblemAsync(503);
            Assert.Equal("1", busy.Headers.RetryAfter?.ToString());
            Assert.Contains("Send it again", (string?)problem["detail"]);
            Assert.Empty((await client.GetJsonAsync($"/v1/audit/{tenant}"))["logs"]!.AsArray());
        }
        Assert.Equal((1, 0), await client.IngestAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddMinutes(-1))));
        Assert.Equal(1, gate.FreeTurns); // every turn given back
    }
}
