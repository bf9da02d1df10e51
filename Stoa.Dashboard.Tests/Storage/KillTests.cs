using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>
/// Acknowledged means durable: the real server, as its own process, is killed with SIGKILL in the
/// middle of sustained ingest from several senders, restarted, and every acknowledged batch is
/// there, whole; every other batch is whole or absent; the arrival numbers have no gap; the hash
/// chain and its checkpoints are intact.
/// </summary>
public sealed class KillTests : IAsyncLifetime
{
    private const string Tenant = "t_kill";
    private const int Senders = 4, BatchSize = 50;
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-kill-").FullName;
    private string DatabasePath => Path.Combine(_folder, "audit.db");

    [Fact]
    public async Task Acknowledged_batches_survive_kill_9_during_sustained_ingest()
    {
        var ingestToken = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "ingest", "--tenant", Tenant))[^1];
        var readToken = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        var acknowledged = new ConcurrentBag<string>();
        var sent = new ConcurrentBag<string>();

        for (var round = 0; round < 3; round++)
        {
            using var server = await AppProcess.StartAsync(DatabasePath);
            using var http = server.Client(ingestToken);
            var enough = new TaskCompletionSource();
            var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
            {
                for (var n = 0; ; n++)
                {
                    var batch = $"r{round}_s{s}_b{n}";
                    sent.Add(batch);
                    try
                    {
                        var response = await http.PostAsync($"/v1/audit/{Tenant}/events", Body(batch));
                        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{batch}: {(int)response.StatusCode}");
                        acknowledged.Add(batch);
                        if (acknowledged.Count >= (round + 1) * 40) enough.TrySetResult();
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToList();
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
            server.Kill(); // SIGKILL: no shutdown, no flush, mid-write
            await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(30));
        }

        using var restarted = await AppProcess.StartAsync(DatabasePath);
        using var reader = restarted.Client(readToken);
        var stored = new List<(string RequestId, long Seq)>();
        for (var cursor = "since_seq=0"; ;)
        {
            var page = JsonNode.Parse(await reader.GetStringAsync($"/v1/audit/{Tenant}?limit=10000&{cursor}"))!;
            stored.AddRange(page["logs"]!.AsArray().Select(e => ((string)e!["request_id"]!, (long)e["seq"]!)));
            if ((string?)page["next_cursor"] is not { } next) break;
            cursor = $"cursor={next}";
        }

        var byBatch = stored.GroupBy(e => e.RequestId[..e.RequestId.LastIndexOf('_')]).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(acknowledged, batch => Assert.Equal(BatchSize, byBatch.GetValueOrDefault(batch))); // acknowledged: all there
        Assert.All(byBatch, b => Assert.Equal(BatchSize, b.Value)); // anything there: whole
        Assert.Equal(stored.Count, stored.Select(e => e.RequestId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(n => (long)n), stored.Select(e => e.Seq)); // no gap, even across the kills
        Assert.True(acknowledged.Count >= 120, $"only {acknowledged.Count} batches were acknowledged");
        // The hash chain and the checkpoints signed between the kills (every second here) agree with what survived.
        var chain = JsonNode.Parse(await reader.GetStringAsync($"/v1/audit/{Tenant}/verify"))!;
        Assert.True((bool)chain["intact"]!, chain.ToJsonString());
        Assert.Equal(stored.Count, (long)chain["checked"]!);
    }

    private static StringContent Body(string batch) => new(
        new JsonArray(Enumerable.Range(0, BatchSize).Select(i => (JsonNode)Wire.Request($"{batch}_{i}", StoaApp.Epoch.AddSeconds(i))).ToArray()).ToJsonString(),
        Encoding.UTF8, "application/json");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
