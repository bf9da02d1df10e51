using System.Diagnostics;
using System.Net.Http.Headers;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// What the metrics cost at ingest: the same HTTP ingest (4 senders, batches of 1,000) into a server
/// without telemetry and into one collecting every instrument (the Prometheus exporter on, and
/// scraped once a second during the run, as Prometheus would), in alternating rounds so the
/// machine's noise falls on both; each mode's best round and median are reported. Target: under 3%.
/// </summary>
public static class TelemetryBenchmark
{
    private const int Senders = 4, Batch = 1000, Rounds = 5;

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        var rows = options.Rows;
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench");
        var rates = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        for (var round = 0; round < Rounds; round++)
            foreach (var metrics in new[] { false, true })
            {
                workspace.Settings["Stoa__Telemetry__Prometheus"] = metrics ? "true" : "false";
                using var server = await workspace.StartServerAsync();
                using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                await DashboardBenchmark.SendAsync(http, $"warmup_{round}_{metrics}", Bodies(0, 40), Senders); // tiered JIT warmed first
                using var scraping = new CancellationTokenSource();
                var scraper = metrics ? ScrapeAsync(http, scraping.Token) : Task.FromResult(0);
                var clock = Stopwatch.StartNew();
                await DashboardBenchmark.SendAsync(http, $"ingest_{round}_{metrics}", Bodies(round * rows, rows / Batch), Senders);
                var rate = rows / clock.Elapsed.TotalSeconds;
                scraping.Cancel();
                var scrapes = await scraper;
                rates[metrics].Add(rate);
                Console.WriteLine($"  round {round + 1}, metrics {(metrics ? $"on ({scrapes} scrapes)" : "off")}: {rate:N0} events/s");
            }
        var off = rates[false].Max();
        var on = rates[true].Max();
        Console.WriteLine($"  best: {off:N0} events/s without metrics, {on:N0} with: {(1 - on / off) * 100:0.0}% less");
        results.Add($"HTTP ingest with every metric collected and scraped ({rows:N0} events, best of {Rounds})", on, "events/s", off,
            "the same ingest without telemetry, same run");
        results.Add($"the same, median of {Rounds}", Median(rates[true]), "events/s", Median(rates[false]), "median without telemetry");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static List<string> Bodies(int first, int batches) =>
        Enumerable.Range(0, batches).Select(b => DashboardBenchmark.Body(first + b * Batch, Batch)).ToList();

    /// <summary>Scrapes <c>/metrics</c> once a second, as Prometheus does, until cancelled; returns how many scrapes answered.</summary>
    private static async Task<int> ScrapeAsync(HttpClient http, CancellationToken ct)
    {
        var scrapes = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                if ((await http.GetAsync("/metrics", ct)).IsSuccessStatusCode) scrapes++;
        }
        catch (OperationCanceledException)
        {
        }
        return scrapes;
    }
}
