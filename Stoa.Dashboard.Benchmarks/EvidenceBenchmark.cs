using System.Diagnostics;
using System.Net.Http.Headers;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// What the evidence costs: HTTP ingest with the hash chain against the same server with the chain
/// switched off (<c>Stoa:Benchmark:WithoutChain</c>), alternating rounds on two stores in the same
/// run; then a bundle of N rows (rows/s, peak memory above idle) against the CSV export of the same
/// rows on the same server.
/// </summary>
public static class EvidenceBenchmark
{
    private const string Tenant = "bench_export"; // the rows ExportBenchmark.MeasureServerAsync exports

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        await MeasureIngestAsync(results);
        await MeasureBundleAsync(workspace, options, results);
    }

    private static async Task MeasureIngestAsync(Results results)
    {
        const int events = 200_000, batch = 1000, senders = 4, rounds = 3;
        using var chained = new Workspace();
        using var unchained = new Workspace();
        unchained.Settings["Stoa__Benchmark__WithoutChain"] = "true";
        var bodies = Enumerable.Range(0, events / batch).Select(b => DashboardBenchmark.Body(b * batch, batch)).ToList();
        var best = new Dictionary<Workspace, double> { [chained] = 0, [unchained] = 0 };
        var servers = new Dictionary<Workspace, (Server Server, HttpClient Http)>();
        foreach (var workspace in new[] { chained, unchained })
        {
            var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench");
            var server = await workspace.StartServerAsync();
            var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await DashboardBenchmark.WarmUpAsync(http, "bench_warmup", batch, senders);
            servers[workspace] = (server, http);
        }
        // Alternating rounds, a tenant of its own each, so both servers see the same machine noise; the best round counts.
        for (var round = 0; round < rounds; round++)
            foreach (var workspace in new[] { unchained, chained })
            {
                var clock = Stopwatch.StartNew();
                await DashboardBenchmark.SendAsync(servers[workspace].Http, $"bench_ingest_{round}", bodies, senders);
                var rate = events / clock.Elapsed.TotalSeconds;
                best[workspace] = Math.Max(best[workspace], rate);
                Console.WriteLine($"  round {round + 1}, {(workspace == chained ? "with" : "without")} the chain: {rate:N0} events/s");
            }
        foreach (var (server, http) in servers.Values)
        {
            http.Dispose();
            server.Dispose();
        }
        results.Add($"ingest over HTTP with the hash chain ({senders} senders, batches of {batch}, best of {rounds})", best[chained], "events/s",
            best[unchained], "the same server with the chain off, same run");
    }

    private static async Task MeasureBundleAsync(Workspace workspace, BenchOptions options, Results results)
    {
        Console.WriteLine($"Preparing a store with {options.Rows:N0} request events…");
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench");
        var insertRate = DataGenerator.Insert(workspace, Tenant, options.Rows, DateTimeOffset.UtcNow, TimeSpan.FromDays(30));
        // Generated rows have no chain yet: the next start chains them, as it would a store from before the chain.
        var clock = Stopwatch.StartNew();
        await workspace.RunCommandAsync("keys", "list");
        var chainRate = options.Rows / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  chained {options.Rows:N0} stored events at {chainRate:N0} rows/s (inserted at {insertRate:N0} rows/s)");
        results.Add("chaining a store written before the chain (at start)", chainRate, "rows/s", insertRate, "bare prepared INSERT of the same rows");

        using var server = await workspace.StartServerAsync();
        var csv = await ExportBenchmark.MeasureServerAsync(server, token, "csv");
        var bundle = await ExportBenchmark.MeasureServerAsync(server, token, "bundle");
        Console.WriteLine($"  bundle: {bundle.Bytes / 1e6:N0} MB in {bundle.Seconds:0.0} s, peak +{bundle.PeakAboveIdle / 1e6:N0} MB; " +
            $"csv: {csv.Bytes / 1e6:N0} MB in {csv.Seconds:0.0} s, peak +{csv.PeakAboveIdle / 1e6:N0} MB");
        results.Add($"bundle: rows/s ({options.Rows:N0} rows)", options.Rows / bundle.Seconds, "rows/s", options.Rows / csv.Seconds,
            "CSV export of the same rows, same server");
        results.Add("bundle: peak memory above idle", bundle.PeakAboveIdle / 1e6, "MB", csv.PeakAboveIdle / 1e6, "CSV export of the same rows, same server");
    }
}
