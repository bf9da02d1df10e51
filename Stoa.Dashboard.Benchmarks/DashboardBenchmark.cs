using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// The dashboard's questions at N request events (one tenant holding 90% of them, a few hundred
/// thousand a day), asked through the app's own query code, each as median and p95 beside a bare
/// indexed COUNT(*) of the same window; and ingestion through the real HTTP endpoint beside a bare
/// prepared INSERT of the same kind of rows.
/// </summary>
public static class DashboardBenchmark
{
    private const string Main = "bench_main";
    private const int Runs = 15;
    private const long HourMs = 3_600_000, DayMs = 24 * HourMs;

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench-dashboard");
        var now = DateTimeOffset.UtcNow;
        var span = TimeSpan.FromDays(Math.Max(1, options.Events / 300_000.0)); // a few hundred thousand a day
        Console.WriteLine($"Generating {options.Events:N0} request events over {span.TotalDays:0} days…");
        var mainRows = (int)(options.Events * 0.9);
        // On PostgreSQL the months' partitions come first (the app makes a past month's when its first event comes: these bypass it),
        // and a load this size goes in as bulk loads do: the secondary indexes dropped, then built once (timed).
        if (workspace.OnPostgres) MakePartitions(workspace, now - span, now);
        var indexes = workspace.OnPostgres ? await DropIndexesAsync(workspace, "request_events") : [];
        var bareRate = DataGenerator.Insert(workspace, Main, mainRows, now, span, seed: 1);
        DataGenerator.Insert(workspace, "bench_other", (int)(options.Events - mainRows), now, span, seed: 2);
        Console.WriteLine($"  bare {Bare(workspace)}: {bareRate:N0} rows/s");
        if (indexes.Count > 0)
        {
            var build = Stopwatch.StartNew();
            foreach (var index in indexes) await workspace.ExecuteAsync(index);
            Console.WriteLine($"  {indexes.Count} indexes built in {build.Elapsed.TotalSeconds:0.0} s");
        }
        DataGenerator.InsertSecurity(workspace, Main, mainRows, now, span);
        // Bare inserts bypass the app's writer: count them into the rollups as the migration does for an existing store.
        var rebuild = Stopwatch.StartNew();
        await workspace.ExecuteAsync(RollupQueries.RebuildSql);
        if (workspace.OnPostgres) await workspace.ExecuteAsync("ANALYZE"); // as autovacuum would after a load this size
        Console.WriteLine($"  rollups rebuilt in {rebuild.Elapsed.TotalSeconds:0.0} s");
        // Bare inserts have no hash chain yet either: the next start chains them (a command starts the app without serving).
        var chaining = Stopwatch.StartNew();
        await workspace.RunCommandAsync("keys", "list");
        Console.WriteLine($"  chained {options.Events:N0} events in {chaining.Elapsed.TotalSeconds:0.0} s");

        // The ingestion baseline: the same kind of rows, bare (prepared INSERTs, or a binary COPY), one durable transaction per 1,000 as the HTTP batches.
        var bareBatchRate = DataGenerator.Insert(workspace, "bench_bare", 200_000, now, TimeSpan.FromHours(1), seed: 3, batch: 1000);
        Console.WriteLine($"  bare {Bare(workspace)}, 1,000 a transaction: {bareBatchRate:N0} rows/s");
        await MeasureHttpIngestAsync(workspace, token, bareBatchRate, results);

        Console.WriteLine($"Asking the dashboard's questions of {Main} ({mainRows:N0} events), {Runs} runs each…");
        await QuestionsAsync(workspace, now, results);
    }

    public static async Task QuestionsAsync(Workspace workspace, DateTimeOffset now, Results results)
    {
        var factory = workspace.ContextFactory();
        var scope = new AuditScope(Main, null);
        var end = now.ToUnixTimeMilliseconds();
        var busiest = (string)(await workspace.ExecuteAsync($"SELECT consumer_id FROM request_events WHERE tenant_id = '{Main}' GROUP BY consumer_id ORDER BY COUNT(*) DESC LIMIT 1"))!;

        async Task Question(string name, long fromMs, Func<AuditDbContext, Task> ask)
        {
            var baseline = Time(() => BareCount(workspace, fromMs, end, name.Contains("consumer") ? busiest : null));
            var times = new List<double>();
            for (var run = 0; run < Runs + 2; run++)
            {
                await using var db = factory.CreateDbContext();
                var clock = Stopwatch.StartNew();
                await ask(db);
                if (run >= 2) times.Add(clock.Elapsed.TotalMilliseconds); // two warm-up runs
            }
            times.Sort();
            results.Add($"{name}: median", times[times.Count / 2], "ms", baseline.Median, "bare indexed COUNT(*) of the window, median");
            results.Add($"{name}: p95", times[(int)Math.Ceiling(0.95 * times.Count) - 1], "ms", baseline.P95, "bare indexed COUNT(*) of the window, p95");
            Console.WriteLine($"  {name}: median {times[times.Count / 2]:0.0} ms");
        }

        await Question("triage 24h", end - DayMs, db => Triage.LoadAsync(db, scope, new TimeWindow(end - DayMs, end), 0.1));
        await Question("timeline 1h: histogram + paths", end - HourMs, async db =>
        {
            await Timeline.HistogramAsync(db, scope, end - HourMs, end);
            await Timeline.PathsAsync(db, scope, new TimeWindow(end - HourMs, end));
        });
        await Question("timeline 1h: first page of the stream", end - HourMs, db => Timeline.StreamAsync(db, scope, new TimeWindow(end - HourMs, end), null, 200));
        await Question("consumer profile 14d (busiest consumer)", end - 14 * DayMs, db => ConsumerProfile.LoadAsync(db, scope, busiest, new TimeWindow(end - 14 * DayMs, end)));
        await Question("weekly trend", end - 7 * DayMs, db => WeeklyTrend.LoadAsync(db, scope, end));
        await Question("security 24h: counts, top targets and first page", end - DayMs, async db =>
        {
            var filter = new SecurityFilter { Window = new TimeWindow(end - DayMs, end) };
            await SecurityOverview.LoadAsync(db, scope, filter, end - DayMs, end, 1000);
            await db.Security(scope).Filter(filter).LongCountAsync();
            await db.Security(scope).Filter(filter).PageAsync(new PageRequest(100, false, null), CancellationToken.None);
        });
        await Question("investigate 24h with the busiest consumer", end - DayMs, db =>
            Investigation.RunAsync(db, scope, new TimeWindow(end - DayMs, end), busiest, 0.1));
        await Question("runaway jobs over 7d", end - 7 * DayMs, db =>
            RunawayJobs.FindAsync(db, scope, new TimeWindow(end - 7 * DayMs, end), new Stoa.Dashboard.Configuration.RunawayOptions()));
        await Question("request log page (status_min=500, 24h)", end - DayMs, db =>
            db.Requests(scope).Filter(new RequestFilter { Window = new TimeWindow(end - DayMs, end), StatusMin = 500 })
                .PageAsync(new PageRequest(100, false, null), CancellationToken.None));
    }

    private static async Task MeasureHttpIngestAsync(Workspace workspace, string token, double bareRate, Results results)
    {
        const int events = 200_000, batch = 1000, senders = 4, warmUpBatches = 40;
        using var server = await workspace.StartServerAsync();
        var idle = MemorySampler.Rss(server.ProcessId);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // A server that has just started runs unoptimised code (tiered JIT): warm it up first, as
        // the baseline's insert loop is warm, and as a server that has run for a day is.
        await SendAsync(http, "bench_warmup", Enumerable.Range(0, warmUpBatches).Select(b => Body(b * batch, batch)).ToList(), senders);
        var bodies = Enumerable.Range(0, events / batch).Select(b => Body(b * batch, batch)).ToList();
        var clock = Stopwatch.StartNew();
        long peak;
        using (var sampler = MemorySampler.Start(server.ProcessId))
        {
            await SendAsync(http, "bench_ingest", bodies, senders);
            peak = sampler.PeakBytes;
        }
        var rate = events / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  HTTP ingest: {rate:N0} events/s ({senders} senders, batches of {batch})");
        results.Add($"ingest over HTTP ({senders} senders, batches of {batch})", rate, "events/s", bareRate, $"bare {Bare(workspace)}, one transaction per 1,000");
        results.Add("server memory under ingest load", peak / 1e6, "MB", idle / 1e6, "server memory at rest");
    }

    /// <summary>Posts every body once, <paramref name="senders"/> at a time.</summary>
    internal static Task SendAsync(HttpClient http, string tenant, List<string> bodies, int senders)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var response = await http.PostAsync($"/v1/audit/{tenant}/events", new StringContent(bodies[i], Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
            }
        }));
    }

    internal static string Body(int first, int count)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var random = new Random(first);
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            var consumer = random.Next(300);
            if (i > 0) sb.Append(',');
            sb.Append(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["event_type"] = "api_request", ["timestamp"] = now, ["request_id"] = $"ing_{first + i:D10}", ["consumer_id"] = $"cons_{consumer:D3}",
                ["consumer_name"] = $"consumer-{consumer:D3}", ["api_id"] = $"api-{consumer % 12:D2}", ["method"] = "GET",
                ["path"] = $"/api/v1/resource{random.Next(60)}/{random.Next(50)}", ["status_code"] = random.Next(10) == 0 ? 404 : 200,
                ["latency_ms"] = random.Next(5, 300), ["request_size_bytes"] = 0, ["response_size_bytes"] = random.Next(100, 40_000),
                ["gateway_version"] = "stoa-gw/2.14.3", ["datacenter"] = "eu-west-1", ["key_id"] = $"key_{consumer:D3}",
            }));
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Drops a PostgreSQL table's indexes but its primary key, and returns the statements that make them again.</summary>
    private static async Task<List<string>> DropIndexesAsync(Workspace workspace, string table)
    {
        var indexes = new List<(string Name, string Definition)>();
        await using (var connection = workspace.Open())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT indexname, indexdef FROM pg_indexes WHERE tablename = '{table}' AND indexname NOT LIKE 'PK%'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes) await workspace.ExecuteAsync($"DROP INDEX \"{name}\"");
        // A partitioned table's index reads "ON ONLY" (itself, none of its partitions'): built again, it is built for all of them.
        return indexes.Select(i => i.Definition.Replace(" ON ONLY ", " ON ")).ToList();
    }

    private static void MakePartitions(Workspace workspace, DateTimeOffset from, DateTimeOffset to)
    {
        var months = new List<long>();
        for (var month = RequestPartitions.MonthOf(from.ToUnixTimeMilliseconds()); month <= to.ToUnixTimeMilliseconds(); month = RequestPartitions.NextMonth(month))
            months.Add(month);
        new RequestPartitions(new StoreSettings(StoreProvider.Postgres, workspace.ConnectionString), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RequestPartitions>.Instance).Ensure(months);
    }

    /// <summary>How the benchmark writes rows bare on this store.</summary>
    private static string Bare(Workspace workspace) => workspace.OnPostgres ? "binary COPY" : "prepared INSERT";

    private static void BareCount(Workspace workspace, long fromMs, long toMs, string? consumer)
    {
        using var connection = workspace.Open();
        using var command = connection.CreateCommand();
        command.CommandText = consumer is null
            ? $"SELECT COUNT(*) FROM request_events WHERE tenant_id = '{Main}' AND timestamp >= {fromMs} AND timestamp < {toMs}"
            : $"SELECT COUNT(*) FROM request_events WHERE tenant_id = '{Main}' AND consumer_id = '{consumer}' AND timestamp >= {fromMs} AND timestamp < {toMs}";
        command.ExecuteScalar();
    }

    private static (double Median, double P95) Time(Action action)
    {
        var times = new List<double>();
        for (var run = 0; run < Runs + 2; run++)
        {
            var clock = Stopwatch.StartNew();
            action();
            if (run >= 2) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Ceiling(0.95 * times.Count) - 1]);
    }
}
