using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// Forwarding to a local webhook receiver (an <see cref="HttpListener"/> that counts events): the
/// backlog of N stored events delivered from a cursor (events/s) beside the HTTP ingest rate of the
/// same events in the same run; then a steady live load (events/s for S seconds) with the
/// destination's lag sampled from the API: it must stay bounded.
/// </summary>
public static class ForwardingBenchmark
{
    private const string Tenant = "bench_forwarding";

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        var rows = options.Rows;
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench");
        using var server = await workspace.StartServerAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var receiver = new CountingReceiver();

        Console.WriteLine($"Ingesting {rows:N0} events over HTTP…");
        var bodies = Enumerable.Range(0, rows / 1000).Select(b => DashboardBenchmark.Body(b * 1000, 1000)).ToList();
        var clock = Stopwatch.StartNew();
        await DashboardBenchmark.SendAsync(http, Tenant, bodies, 4);
        var ingestRate = rows / clock.Elapsed.TotalSeconds;

        clock.Restart();
        var added = await http.PostAsync($"/v1/audit/{Tenant}/destinations", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "bench", ["kind"] = "webhook", ["target"] = receiver.Url, ["kinds"] = "request", ["backfill"] = "true",
        }));
        added.EnsureSuccessStatusCode();
        await receiver.WaitForAsync(rows, TimeSpan.FromMinutes(10));
        var backlogRate = rows / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  ingest {ingestRate:N0} events/s; backlog forwarded at {backlogRate:N0} events/s");
        results.Add($"forwarding a backlog of {rows:N0} events to a webhook", backlogRate, "events/s", ingestRate, "HTTP ingest of the same events, same run");

        // Live: a steady load, the lag (events stored but not yet delivered) sampled every 200 ms.
        var rate = options.EventsPerSecond;
        Console.WriteLine($"Steady {rate:N0} events/s for {options.Seconds} s, lag sampled…");
        var lags = new List<long>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync($"/v1/audit/{Tenant}/destinations"));
                lock (lags) lags.Add(status.RootElement.GetProperty("destinations")[0].GetProperty("lag_events").GetInt64());
                await Task.Delay(200); // a sampling period, not a wait for an event
            }
        });
        var sent = 0;
        const int batchesPerSecond = 10;
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / batchesPerSecond)))
            for (var tick = 0; tick < options.Seconds * batchesPerSecond && await timer.WaitForNextTickAsync(); tick++)
            {
                var body = DashboardBenchmark.Body(10_000_000 + sent, rate / batchesPerSecond);
                (await http.PostAsync($"/v1/audit/{Tenant}/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
                sent += rate / batchesPerSecond;
            }
        await receiver.WaitForAsync(rows + sent, TimeSpan.FromMinutes(2));
        sampling.Cancel();
        await sampler;
        long[] sorted;
        lock (lags) sorted = [.. lags.Order()];
        var p99 = sorted[(int)Math.Min(sorted.Length - 1, sorted.Length * 0.99)];
        Console.WriteLine($"  lag: max {sorted[^1]:N0} events, p99 {p99:N0}, {receiver.Duplicates:N0} duplicates");
        results.Add($"forwarding lag under {rate:N0} events/s (p99 of samples)", p99, "events", rate, "events ingested a second");
        results.Add($"forwarding lag under {rate:N0} events/s (max)", sorted[^1], "events", rate, "events ingested a second");
    }

    /// <summary>A webhook receiver on 127.0.0.1 that counts distinct seqs (and duplicates) and answers 204.</summary>
    private sealed class CountingReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly HashSet<long> _seqs = [];
        private readonly Task _loop;
        public string Url { get; }
        public long Duplicates { get; private set; }

        public CountingReceiver()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                    using (var body = await JsonDocument.ParseAsync(context.Request.InputStream))
                        lock (_seqs)
                            foreach (var e in body.RootElement.GetProperty("events").EnumerateArray())
                                if (!_seqs.Add(e.GetProperty("seq").GetInt64())) Duplicates++;
                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
            });
        }

        public async Task WaitForAsync(long count, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                lock (_seqs) if (_seqs.Count >= count) return;
                if (clock.Elapsed > timeout) throw new TimeoutException($"the receiver has {_seqs.Count:N0} of {count:N0} events");
                await Task.Delay(10); // polling the count for a state
            }
        }

        private static int FreePort()
        {
            using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
