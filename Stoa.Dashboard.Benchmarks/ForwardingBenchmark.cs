using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// Forwarding to a local webhook receiver (an <see cref="HttpListener"/> that counts events) and to a
/// real rsyslog over TLS: the backlog of N stored events delivered from a cursor (events/s, each
/// destination on its own) beside the HTTP ingest rate of the same events in the same run; how far
/// behind the end of that ingest the recommended alert rules finish reading it; then a steady live
/// load (events/s for S seconds) with both destinations' lag and the rules' lag sampled from the
/// API: they must stay bounded.
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
        await using var syslog = await Stoa.Dashboard.Tests.Support.RsyslogReceiver.StartAsync();

        Console.WriteLine($"Ingesting {rows:N0} events over HTTP, the recommended alert rules reading them…");
        var bodies = Enumerable.Range(0, rows / 1000).Select(b => DashboardBenchmark.Body(b * 1000, 1000)).ToList();
        await DashboardBenchmark.SendAsync(http, Tenant, bodies[..1], 1); // the tenant exists from its first event: then its rules
        (await http.PostAsync($"/v1/audit/{Tenant}/alert-rules/recommended", null)).EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();
        await DashboardBenchmark.SendAsync(http, Tenant, bodies[1..], 4);
        var ingestSeconds = clock.Elapsed.TotalSeconds;
        var ingestRate = (rows - 1000) / ingestSeconds;
        while (await AlertLagAsync(http) > 0) await Task.Delay(50); // polling the API for a state
        var alertsBehind = clock.Elapsed.TotalSeconds - ingestSeconds;
        Console.WriteLine($"  ingest {ingestRate:N0} events/s; the alert rules done {alertsBehind:0.0} s after it");
        results.Add($"alert rules (the 5 recommended) done reading an ingest of {rows:N0} events, seconds after it", alertsBehind, "s", ingestSeconds,
            "seconds the ingest took");

        var webhookRate = await BacklogAsync(http, rows, () => receiver.WaitForAsync(rows, TimeSpan.FromMinutes(10)),
            ("name", "bench-webhook"), ("kind", "webhook"), ("target", receiver.Url));
        results.Add($"forwarding a backlog of {rows:N0} events to a webhook", webhookRate, "events/s", ingestRate, "HTTP ingest of the same events, same run");
        var syslogRate = await BacklogAsync(http, rows, () => syslog.WaitForLinesAsync(rows, TimeSpan.FromMinutes(10)),
            ("name", "bench-syslog"), ("kind", "syslog"), ("target", syslog.Target), ("ca_file", syslog.CaFile));
        results.Add($"forwarding a backlog of {rows:N0} events to rsyslog over TLS", syslogRate, "events/s", ingestRate, "HTTP ingest of the same events, same run");
        Console.WriteLine($"  backlog forwarded at {webhookRate:N0} events/s (webhook), {syslogRate:N0} events/s (rsyslog)");

        // Live: a steady load; the lag (events stored but not yet delivered, or not yet read by the rules) sampled every 200 ms.
        var rate = options.EventsPerSecond;
        Console.WriteLine($"Steady {rate:N0} events/s for {options.Seconds} s, lag sampled…");
        var lags = new Dictionary<string, List<long>> { ["webhook"] = [], ["rsyslog"] = [], ["alert rules"] = [] };
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync($"/v1/audit/{Tenant}/destinations"));
                var destinations = status.RootElement.GetProperty("destinations");
                var alertLag = await AlertLagAsync(http);
                lock (lags)
                {
                    lags["webhook"].Add(destinations[0].GetProperty("lag_events").GetInt64());
                    lags["rsyslog"].Add(destinations[1].GetProperty("lag_events").GetInt64());
                    lags["alert rules"].Add(alertLag);
                }
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
        var lines = await syslog.WaitForLinesAsync(rows + sent, TimeSpan.FromMinutes(2));
        sampling.Cancel();
        await sampler;
        var syslogDuplicates = lines.Length - lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, "\"seq\":(\\d+)").Value).Distinct().Count();
        Console.WriteLine($"  duplicates: {receiver.Duplicates:N0} (webhook), {syslogDuplicates:N0} (rsyslog)");
        foreach (var (name, samples) in lags)
        {
            long[] sorted;
            lock (lags) sorted = [.. samples.Order()];
            var p99 = sorted[(int)Math.Min(sorted.Length - 1, sorted.Length * 0.99)];
            Console.WriteLine($"  {name} lag: max {sorted[^1]:N0} events, p99 {p99:N0}");
            results.Add($"{name} lag under {rate:N0} events/s (p99 of samples)", p99, "events", rate, "events ingested a second");
            results.Add($"{name} lag under {rate:N0} events/s (max)", sorted[^1], "events", rate, "events ingested a second");
        }
    }

    /// <summary>Adds a destination that sends the stored backlog (requests only) and returns the events a second it delivered them at.</summary>
    private static async Task<double> BacklogAsync(HttpClient http, int rows, Func<Task> delivered, params (string Name, string Value)[] fields)
    {
        var clock = Stopwatch.StartNew();
        var added = await http.PostAsync($"/v1/audit/{Tenant}/destinations", new FormUrlEncodedContent(
            fields.Append(("kinds", "request")).Append(("backfill", "true")).Select(f => KeyValuePair.Create(f.Item1, f.Item2))));
        added.EnsureSuccessStatusCode();
        await delivered();
        return rows / clock.Elapsed.TotalSeconds;
    }

    private static async Task<long> AlertLagAsync(HttpClient http)
    {
        using var rules = JsonDocument.Parse(await http.GetStringAsync($"/v1/audit/{Tenant}/alert-rules"));
        return rules.RootElement.GetProperty("lag_events").GetInt64();
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
