using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Alerts;

/// <summary>
/// The app, a real process, is killed with SIGKILL while its alert rules read a runaway job's calls,
/// and restarted: the episode fired once, its one <c>alert_fired</c> event was stored once, and it
/// counted every call exactly once, the ones read before the kill and after it.
/// </summary>
public sealed class AlertKillTests : IAsyncLifetime
{
    private const string Tenant = "t_alert_kill";
    private const int Batches = 60, Batch = 1000;
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-alert-kill-").FullName;
    private string DatabasePath => Path.Combine(_folder, "audit.db");

    /// <summary>One batch of the job's calls: the same GET, 10 ms apart, all inside one hour.</summary>
    private static async Task SendAsync(HttpClient http, int batch)
    {
        var events = Enumerable.Range(batch * Batch, Batch).Select(i => (JsonNode)Wire.Request($"job{i}", StoaApp.Epoch.AddMilliseconds(i * 10)));
        var response = await http.PostAsync($"/v1/audit/{Tenant}/events",
            new StringContent(new JsonArray(events.ToArray()).ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Killed_mid_evaluation_a_runaway_job_fires_once_and_every_call_is_counted_once()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using (var server = await AppProcess.StartAsync(DatabasePath))
        {
            using var http = server.Client(token);
            await SendAsync(http, 0);
            var rule = await http.PostAsync($"/v1/audit/{Tenant}/alert-rules?type=runaway_job&threshold=1000&window_minutes=60", null);
            Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
            for (var b = 1; b < Batches / 2; b++) await SendAsync(http, b);
            server.Kill(); // SIGKILL, with the rules some way behind the ingest or just caught up
        }
        using (var server = await AppProcess.StartAsync(DatabasePath))
        {
            using var http = server.Client(token);
            for (var b = Batches / 2; b < Batches; b++) await SendAsync(http, b);
            var clock = Stopwatch.StartNew();
            while ((long)JsonNode.Parse(await http.GetStringAsync($"/v1/audit/{Tenant}/alert-rules"))!["lag_events"]! > 0)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the alert rules did not catch up");
                await Task.Delay(20); // polling the API for a state
            }
            var alert = Assert.Single(JsonNode.Parse(await http.GetStringAsync($"/v1/audit/{Tenant}/alerts"))!["alerts"]!.AsArray())!;
            Assert.Equal("cons_a GET /api/items", (string)alert["key"]!);
            Assert.Equal((Batches - 1) * Batch, (long)alert["count"]!); // every call after the rule, counted once
            var events = JsonNode.Parse(await http.GetStringAsync($"/v1/audit/{Tenant}/security?event_type=alert_fired"))!["events"]!.AsArray();
            Assert.Equal((string)alert["event_id"]!, (string)Assert.Single(events)!["event_id"]!);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
