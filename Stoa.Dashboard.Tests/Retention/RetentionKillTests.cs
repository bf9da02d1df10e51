using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Retention;

/// <summary>
/// The retention job is killed with SIGKILL in the middle of archiving, twice, then run to its end:
/// every event is in the store or in exactly one kept archive file, exactly once; every file has
/// the hash its record says; the chain walks from the first seq to the last.
/// </summary>
public sealed class RetentionKillTests : IAsyncLifetime
{
    private const string Tenant = "t_retention_kill";
    private const int Days = 90, PerDay = 400;
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-retention-kill-").FullName;
    private string DatabasePath => Path.Combine(_folder, "audit.db");
    private string ArchiveRoot => Path.Combine(_folder, "archive");

    [Fact]
    public async Task Archiving_killed_twice_and_run_again_loses_and_doubles_nothing()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        var oldest = DateTimeOffset.UtcNow.Date.AddDays(-100 - Days); // every day past the default 90 hot days
        using (var server = await AppProcess.StartAsync(DatabasePath))
        using (var http = server.Client(token))
            for (var day = 0; day < Days; day++)
            {
                var events = Enumerable.Range(0, PerDay).Select(i => (JsonNode)Wire.Request($"d{day}_{i}", new DateTimeOffset(oldest).AddDays(day).AddSeconds(i * 150)));
                var response = await http.PostAsync($"/v1/audit/{Tenant}/events",
                    new StringContent(new JsonArray(events.ToArray()).ToJsonString(), Encoding.UTF8, "application/json"));
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }

        var killedMidway = 0;
        foreach (var filesBeforeKill in new[] { 5, 25 })
        {
            using var run = Process.Start(AppProcess.StartInfo(DatabasePath, "retention", "run"))!;
            while (!run.HasExited && ArchiveFileCount() < filesBeforeKill) await Task.Delay(5); // polling the disk for a state, not timing
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true);
                killedMidway++;
            }
            await run.WaitForExitAsync();
        }
        Assert.True(killedMidway >= 1, "the job finished before it could be killed");
        await AppProcess.RunAsync(DatabasePath, "retention", "run");

        // Every seq once: hot, or in exactly one kept file.
        var seqs = new List<long>();
        var requestIds = new List<string>();
        await using (var db = await TestStore.OpenAsync(DatabasePath))
        {
            foreach (var table in new[] { "request_events", "security_events", "business_events" })
                seqs.AddRange(await ValuesAsync<long>(db, $"SELECT seq FROM {table} WHERE tenant_id = '{Tenant}'"));
            requestIds.AddRange(await ValuesAsync<string>(db, $"SELECT request_id FROM request_events WHERE tenant_id = '{Tenant}'"));
            var lastSeq = (await ValuesAsync<long>(db, $"SELECT last_seq FROM tenants WHERE tenant_id = '{Tenant}'")).Single();
            await using var files = db.CreateCommand();
            files.CommandText = $"SELECT path, rows, sha256 FROM archive_files WHERE tenant_id = '{Tenant}' AND purged_at_ms IS NULL";
            await using var reader = await files.ExecuteReaderAsync();
            var kept = 0;
            while (await reader.ReadAsync())
            {
                var path = Path.Combine(ArchiveRoot, reader.GetString(0));
                Assert.Equal(reader.GetString(2), (await ArchiveFormat.HashAsync(path, default)).Sha256);
                var lines = new List<ArchiveLine>();
                await foreach (var line in ArchiveFormat.ReadAsync(path)) lines.Add(line);
                Assert.Equal(reader.GetInt64(1), lines.Count);
                seqs.AddRange(lines.Select(l => l.Seq));
                requestIds.AddRange(lines.Select(l => (string?)JsonNode.Parse(l.Canonical)!["request_id"]).OfType<string>());
                kept++;
            }
            Assert.Equal(Days, kept);
            Assert.Equal(Enumerable.Range(1, (int)lastSeq).Select(n => (long)n), seqs.Order());
        }
        Assert.Equal(Days * PerDay, requestIds.Count);
        Assert.Equal(Days * PerDay, requestIds.Distinct().Count());

        using var restarted = await AppProcess.StartAsync(DatabasePath);
        using var operatorClient = restarted.Client(token);
        var chain = JsonNode.Parse(await operatorClient.GetStringAsync($"/v1/audit/{Tenant}/verify"))!;
        Assert.True((bool)chain["intact"]!, chain.ToJsonString());
        Assert.Equal(seqs.Count, (long)chain["checked"]!);
    }

    private int ArchiveFileCount() =>
        Directory.Exists(ArchiveRoot) ? Directory.EnumerateFiles(ArchiveRoot, "*.ndjson.gz", SearchOption.AllDirectories).Count() : 0;

    private static async Task<List<T>> ValuesAsync<T>(System.Data.Common.DbConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync()) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
