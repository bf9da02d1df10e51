using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// What an attacker or an unlucky operator does to the real server: questions over all time
/// (<c>from=0001…to=9999…</c>) against the same questions over a normal window, with peak memory
/// above idle; then a busy current hour (N events in it) read by 20 readers while 4 senders ingest.
/// </summary>
public static class HardeningBenchmark
{
    private const string Tenant = "bench_hard";
    private const string AllTime = "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z";

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench-hardening");
        var now = DateTimeOffset.UtcNow;
        Console.WriteLine($"Preparing {options.Rows:N0} events over 30 days and {options.HourEvents:N0} in the current hour…");
        DataGenerator.Insert(workspace, Tenant, options.Rows, now.AddHours(-1), TimeSpan.FromDays(30), seed: 5);
        DataGenerator.Insert(workspace, Tenant, (int)options.HourEvents, now, TimeSpan.FromMinutes(55), seed: 6);
        await using (var connection = new SqliteConnection(workspace.ConnectionString))
        {
            await connection.OpenAsync();
            var rebuild = connection.CreateCommand();
            rebuild.CommandText = RollupQueries.RebuildSql;
            rebuild.CommandTimeout = 0;
            await rebuild.ExecuteNonQueryAsync();
        }

        using var server = await workspace.StartServerAsync();
        using var api = Client(server, token);
        using var page = await SignedInAsync(server, token);

        Console.WriteLine("All-time windows against normal ones, peak server memory above idle…");
        await Compare(results, server, "quotas", () => api.GetStringAsync($"/v1/quotas/{Tenant}/stats?{AllTime}"),
            () => api.GetStringAsync($"/v1/quotas/{Tenant}/stats?days=30"), "quotas, days=30");
        await Compare(results, server, "timeline page", () => page.GetStringAsync($"/timeline?tenant={Tenant}&{AllTime}"),
            () => page.GetStringAsync($"/timeline?tenant={Tenant}&hours=24"), "timeline page, 24 h");
        await Compare(results, server, "request log page (limit 10000)", () => api.GetStringAsync($"/v1/audit/{Tenant}?{AllTime}&limit=10000"),
            () => api.GetStringAsync($"/v1/audit/{Tenant}?hours=24&limit=10000"), "request log page, 24 h");
        await Compare(results, server, "csv export", () => Drain(api, $"/v1/audit/{Tenant}/export/csv?{AllTime}"),
            () => Drain(api, $"/v1/audit/{Tenant}/export/csv?days=30"), "csv export, days=30");

        Console.WriteLine("The busy hour: 20 readers of windows ending now while 4 senders ingest…");
        string[] reads = [$"/v1/quotas/{Tenant}/stats?hours=1", $"/v1/quotas/{Tenant}/stats?hours=24", $"/v1/audit/{Tenant}?hours=1&status_min=500&limit=100"];
        var quiet = new List<double>();
        for (var i = 0; i < 30; i++) quiet.Add(await TimeAsync(() => api.GetStringAsync(reads[i % reads.Length])));
        var alone = await IngestAsync(server, token, TimeSpan.FromSeconds(10), readers: 0);
        var busy = await IngestAsync(server, token, TimeSpan.FromSeconds(10), readers: 20, reads);
        quiet.Sort();
        busy.ReadMs.Sort();
        results.Add("busy hour: ingest with 20 readers", busy.EventsPerSecond, "events/s", alone.EventsPerSecond, "ingest alone, same senders");
        results.Add("busy hour: read p50 while ingesting", Percentile(busy.ReadMs, 0.50), "ms", Percentile(quiet, 0.50), "the same reads, one at a time, no ingest");
        results.Add("busy hour: read p99 while ingesting", Percentile(busy.ReadMs, 0.99), "ms", Percentile(quiet, 0.99), "the same reads, one at a time, no ingest");
        Console.WriteLine($"  ingest {alone.EventsPerSecond:N0} → {busy.EventsPerSecond:N0} events/s with readers; reads p99 {Percentile(busy.ReadMs, 0.99):0} ms ({busy.ReadMs.Count:N0} reads)");
    }

    private static async Task Compare(Results results, Server server, string name, Func<Task> allTime, Func<Task> normal, string baselineName)
    {
        await normal(); // warm
        await Task.Delay(300); // let the warm-up's garbage settle before reading idle memory
        var (normalSeconds, normalPeak) = await MeasureAsync(server, normal);
        var (seconds, peak) = await MeasureAsync(server, allTime);
        results.Add($"all time: {name}, peak memory above idle", peak / 1e6, "MB", normalPeak / 1e6, baselineName);
        results.Add($"all time: {name}, time", seconds * 1000, "ms", normalSeconds * 1000, baselineName);
        Console.WriteLine($"  {name}: {seconds * 1000:N0} ms, +{peak / 1e6:N0} MB (normal window {normalSeconds * 1000:N0} ms, +{normalPeak / 1e6:N0} MB)");
    }

    private static async Task<(double Seconds, long PeakAboveIdle)> MeasureAsync(Server server, Func<Task> work)
    {
        var idle = MemorySampler.Rss(server.ProcessId);
        var clock = Stopwatch.StartNew();
        using var sampler = MemorySampler.Start(server.ProcessId);
        await work();
        return (clock.Elapsed.TotalSeconds, Math.Max(0, sampler.PeakBytes - idle));
    }

    private static async Task Drain(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null);
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed record Load(double EventsPerSecond, List<double> ReadMs);

    private static async Task<Load> IngestAsync(Server server, string token, TimeSpan duration, int readers, string[]? reads = null)
    {
        using var stop = new CancellationTokenSource(duration);
        var events = 0L;
        var readMs = new List<double>();
        var senders = Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            using var http = Client(server, token);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var ts = DateTimeOffset.UtcNow.AddSeconds(-1);
                var body = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i =>
                    $$"""{"event_type":"api_request","timestamp":"{{ts:yyyy-MM-ddTHH:mm:ss.fffZ}}","request_id":"busy_{{readers}}_{{s}}_{{n}}_{{i}}","consumer_id":"cons_{{i % 50:D3}}","consumer_name":"c","api_id":"api","method":"GET","path":"/p","status_code":{{(i % 20 == 0 ? 503 : 200)}},"latency_ms":5,"request_size_bytes":1,"response_size_bytes":2,"gateway_version":"gw","datacenter":"dc"}""")) + "]";
                var response = await http.PostAsync($"/v1/audit/{Tenant}/events", new StringContent(body, Encoding.UTF8, "application/json"));
                if (response.IsSuccessStatusCode) Interlocked.Add(ref events, 1000);
            }
        })).ToList();
        var readerTasks = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            using var http = Client(server, token);
            var mine = new List<double>();
            for (var n = r; !stop.IsCancellationRequested; n++) mine.Add(await TimeAsync(() => http.GetStringAsync(reads![n % reads.Length])));
            lock (readMs) readMs.AddRange(mine);
        })).ToList();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(senders.Concat(readerTasks));
        return new Load(events / clock.Elapsed.TotalSeconds, readMs);
    }

    private static HttpClient Client(Server server, string token)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A browser-like client signed in to the dashboard with the token, to load pages as a person does.</summary>
    private static async Task<HttpClient> SignedInAsync(Server server, string token)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
            { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var form = await http.GetStringAsync("/signin");
        var antiforgery = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var signIn = await http.PostAsync("/auth/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["returnUrl"] = "/", ["__RequestVerificationToken"] = antiforgery,
        }));
        if (signIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in failed: {signIn.StatusCode}");
        return http;
    }
}
