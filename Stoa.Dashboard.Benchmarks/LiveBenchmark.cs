using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// Ingest-to-subscriber latency at a steady rate with many hub subscribers, against the ingest call's
/// own latency (HTTP and the durable commit) in the same run; then an hour's worth of events through
/// the tail and the server's memory after it, against its memory before.
/// </summary>
public static class LiveBenchmark
{
    private const string Tenant = "bench_live";
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench-live");
        workspace.Settings["Stoa__Telemetry__Prometheus"] = "true"; // the server's own commit→send histogram, read below
        using var server = await workspace.StartServerAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await PostAsync(http, Batch(0, 10, 200)); // creates the tenant, warms the path

        Console.WriteLine($"Connecting {options.Subscribers} subscribers…");
        var latencies = new List<double>();
        var received = 0L;
        var connections = new List<HubConnection>();
        for (var i = 0; i < options.Subscribers; i++)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(server.BaseAddress, "/hubs/audit"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
                .Build();
            connection.On<JsonElement>("events", batch =>
            {
                var now = Stopwatch.GetTimestamp();
                lock (latencies)
                    foreach (var e in batch.EnumerateArray())
                    {
                        received++;
                        if (e.TryGetProperty("request_summary", out var sent) && long.TryParse(sent.GetString(), out var at))
                            latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    }
            });
            await connection.StartAsync();
            // The steady phase watches everything; the hour's worth watches 5xx only, as an operator on an incident would.
            await connection.InvokeAsync("Subscribe", Tenant, new { status_class = (int?)null });
            connections.Add(connection);
        }

        Console.WriteLine($"Steady {options.EventsPerSecond:N0} events/s for {options.Seconds} s…");
        var ingestLatencies = new List<double>();
        const int batchesPerSecond = 10;
        var perBatch = options.EventsPerSecond / batchesPerSecond;
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / batchesPerSecond)))
        {
            for (var tick = 0; tick < options.Seconds * batchesPerSecond && await timer.WaitForNextTickAsync(); tick++)
            {
                var started = Stopwatch.GetTimestamp();
                await PostAsync(http, Batch(1_000_000L + (long)tick * perBatch, perBatch, 200, stamp: true));
                ingestLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        var expected = (long)options.Seconds * batchesPerSecond * perBatch * options.Subscribers;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Interlocked.Read(ref received) < expected && DateTime.UtcNow < deadline) await Task.Delay(100); // draining the last sends
        List<double> sorted;
        lock (latencies) sorted = latencies.Order().ToList();
        Console.WriteLine($"  delivered {received:N0} of {expected:N0}");
        var ingestSorted = ingestLatencies.Order().ToList();
        results.Add($"live: ingest→subscriber p50 ({options.EventsPerSecond:N0} ev/s, {options.Subscribers} subs)", Percentile(sorted, 0.50), "ms", Percentile(ingestSorted, 0.50), "ingest call p50 (HTTP + durable commit)");
        results.Add($"live: ingest→subscriber p99 ({options.EventsPerSecond:N0} ev/s, {options.Subscribers} subs)", Percentile(sorted, 0.99), "ms", Percentile(ingestSorted, 0.99), "ingest call p99 (HTTP + durable commit)");
        results.Add("live: events delivered to subscribers", received, "events", expected, "events sent × subscribers");
        // Measured inside the server: from the commit to the send to each connection (the bucket the percentile falls in).
        var sinceCommit = await HistogramAsync(http, "stoa_live_delivery_duration_seconds_bucket");
        results.Add("live: commit→send p50, server side (bucket upper bound)", Bucket(sinceCommit, 0.50) * 1000, "ms", Percentile(sorted, 0.50), "ingest→subscriber p50, client side");
        results.Add("live: commit→send p99, server side (bucket upper bound)", Bucket(sinceCommit, 0.99) * 1000, "ms", Percentile(sorted, 0.99), "ingest→subscriber p99, client side");

        Console.WriteLine($"An hour's worth of tail: {options.HourEvents:N0} events (1% 5xx) with the subscribers on 5xx…");
        foreach (var connection in connections) await connection.InvokeAsync("Subscribe", Tenant, new { status_class = 5 });
        GC.Collect();
        await Task.Delay(1000); // let the steady phase's garbage settle before reading memory
        var before = MemorySampler.Rss(server.ProcessId);
        long peak;
        using (var sampler = MemorySampler.Start(server.ProcessId))
        {
            const int size = 2000;
            var senders = Enumerable.Range(0, 2).Select(async sender =>
            {
                for (long start = sender * size; start < options.HourEvents; start += 2 * size)
                    await PostAsync(http, Batch(10_000_000L + start, (int)Math.Min(size, options.HourEvents - start), 0));
            });
            await Task.WhenAll(senders);
            peak = sampler.PeakBytes;
        }
        await Task.Delay(2000); // what stays once the burst is over
        var after = MemorySampler.Rss(server.ProcessId);
        results.Add($"live: server memory after {options.HourEvents:N0} events of tail", after / 1e6, "MB", before / 1e6, "server memory before them");
        results.Add($"live: server peak memory during them", peak / 1e6, "MB", before / 1e6, "server memory before them");
        foreach (var connection in connections) await connection.DisposeAsync();
    }

    /// <param name="status">0 for a realistic mix with 1% 5xx.</param>
    private static string Batch(long first, int count, int status, bool stamp = false)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            var code = status != 0 ? status : n % 100 == 0 ? 503 : n % 17 == 0 ? 404 : 200;
            if (i > 0) sb.Append(',');
            sb.Append(JsonSerializer.Serialize(new
            {
                event_type = "api_request", timestamp = now, request_id = $"live_{n:D12}", consumer_id = $"cons_{n % 300:D3}",
                consumer_name = $"consumer-{n % 300:D3}", api_id = "api-01", method = "GET", path = $"/api/items/{n % 5000}",
                status_code = code, latency_ms = 12, request_size_bytes = 0, response_size_bytes = 900, gateway_version = "gw", datacenter = "eu-west-1",
                request_summary = stamp ? Stopwatch.GetTimestamp().ToString() : null,
            }, Snake));
        }
        return sb.Append(']').ToString();
    }

    private static async Task PostAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync($"/v1/audit/{Tenant}/events", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A histogram's cumulative buckets (upper bound, count) from the server's Prometheus endpoint.</summary>
    private static async Task<List<(double Le, double Count)>> HistogramAsync(HttpClient http, string name)
    {
        var text = await http.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => (Le: System.Text.RegularExpressions.Regex.Match(l, "le=\"([^\"]+)\"").Groups[1].Value, Count: l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0]))
            .Select(b => (b.Le == "+Inf" ? double.PositiveInfinity : double.Parse(b.Le, System.Globalization.CultureInfo.InvariantCulture),
                double.Parse(b.Count, System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(b => b.Item1).ToList();
    }

    /// <summary>The upper bound of the bucket holding the p-th quantile.</summary>
    private static double Bucket(List<(double Le, double Count)> buckets, double p) =>
        buckets.Count == 0 ? double.NaN : buckets.First(b => b.Count >= p * buckets[^1].Count).Le;

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
