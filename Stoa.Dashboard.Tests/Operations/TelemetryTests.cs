using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Operations;

/// <summary>
/// The <c>Stoa</c> meter moves as events are stored, sent again, refused and exported; a store of
/// many tenants tags the first few only; OTLP reaches a real receiver with the metrics and spans and
/// no secret; the Prometheus scrape endpoint is for operators of every tenant only.
/// </summary>
public sealed class TelemetryTests
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddMinutes(-10);

    private static long Sum(MetricCollector<long> collector, params (string Tag, string Value)[] tags) =>
        collector.GetMeasurementSnapshot().Where(m => tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Tag), t.Value))).Sum(m => m.Value);

    [Fact]
    public async Task Ingest_duplicates_rejections_exports_and_sign_ins_move_the_meter()
    {
        await using var app = new StoaApp();
        var meters = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var events = new MetricCollector<long>(meters, StoaMetrics.Name, "stoa.ingest.events");
        using var batches = new MetricCollector<long>(meters, StoaMetrics.Name, "stoa.ingest.batches");
        using var duplicates = new MetricCollector<long>(meters, StoaMetrics.Name, "stoa.ingest.duplicates");
        using var exportRows = new MetricCollector<long>(meters, StoaMetrics.Name, "stoa.export.rows");
        using var signIns = new MetricCollector<long>(meters, StoaMetrics.Name, "stoa.signin");
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);

        var sent = new[] { Wire.Request("m1", T0), Wire.Request("m2", T0), Wire.Request("m3", T0), Wire.Security("s1", T0) };
        await client.IngestAsync(tenant, sent);
        await client.IngestAsync(tenant, sent); // the same again: stored once
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(tenant, Wire.Request("bad", T0, status: 999))).StatusCode);
        Assert.Equal(3, Sum(events, ("tenant", tenant), ("kind", "request")));
        Assert.Equal(1, Sum(events, ("tenant", tenant), ("kind", "security")));
        Assert.Equal(4, Sum(duplicates, ("tenant", tenant)));
        Assert.Equal(2, Sum(batches, ("tenant", tenant), ("outcome", "stored")));
        Assert.Equal(1, Sum(batches, ("tenant", tenant), ("outcome", "rejected")));

        (await client.GetAsync($"/v1/audit/{tenant}/export/csv?from={Wire.Time(T0.AddMinutes(-1))}")).EnsureSuccessStatusCode();
        Assert.Equal(3, Sum(exportRows, ("format", "csv")));

        var browser = app.CreateClient(new() { AllowAutoRedirect = false });
        await StoaApp.SignInWithFormAsync(browser, "stoa_not_a_token");
        Assert.Equal(1, Sum(signIns, ("method", "token"), ("outcome", "failure")));
    }

    [Fact]
    public async Task Only_the_first_tenants_are_tags_the_rest_count_as_other()
    {
        await using var app = new StoaApp();
        app.Settings["Stoa:Telemetry:MaxTenantTags"] = "2";
        using var events = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), StoaMetrics.Name,
            "stoa.ingest.events");
        var tenants = Enumerable.Range(0, 4).Select(_ => StoaApp.NewTenant()).ToArray();
        var client = await app.OperatorAsync(tenants);
        foreach (var tenant in tenants) await client.IngestAsync(tenant, Wire.Request("r", T0));
        var tags = events.GetMeasurementSnapshot().Select(m => (string)m.Tags["tenant"]!).ToList();
        Assert.Equal(4, tags.Count);
        Assert.True(tags.Count(t => t == StoaMetrics.OtherTenants) >= 2, string.Join(", ", tags)); // the app's own events may take a tag first
    }

    [Fact]
    public async Task Otlp_export_reaches_a_real_receiver_with_the_meter_and_the_spans_and_no_token()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var app = new StoaApp();
        app.Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint;
        app.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        app.Settings["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
        app.Settings["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        var tenant = StoaApp.NewTenant();
        var (_, secret) = await app.Services.GetRequiredService<TokenService>().CreateAsync(new TokenRequest(Roles.Operator, [tenant], [], "otlp", null));
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        await client.IngestAsync(tenant, Wire.Request("o1", T0), Wire.Security("o2", T0));
        await app.CreateClient().PostAsync($"/hubs/audit/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(secret)}", null); // a browser's way

        // Not the tenant itself: in this test process every app's Stoa meter has the same name, and the SDK listens by name,
        // so with a few hundred tenants about the series past its cardinality limit fold into an overflow series.
        await WaitForAsync(receiver, "metrics", "stoa.ingest.events", "tenant", "kind", "http.server.request.duration");
        await WaitForAsync(receiver, "traces", "stoa.ingest.commit");
        await WaitForAsync(receiver, "traces", "/hubs/audit/negotiate");
        Assert.False(receiver.AnyHolds(secret), "a token reached the telemetry");
        Assert.False(receiver.AnyHolds(secret[..20]), "part of a token reached the telemetry");
    }

    [Fact]
    public async Task A_log_line_of_a_tenants_request_carries_the_tenant_and_the_trace()
    {
        var logs = new ScopedLogs();
        await using var app = new LoggingApp(logs);
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("l1", T0));
        (await client.GetAsync($"/v1/audit/{tenant}/export/csv?from={Wire.Time(T0.AddMinutes(-1))}")).EnsureSuccessStatusCode();
        var line = Assert.Single(logs.Lines, l => l.Message.StartsWith("Export exp_", StringComparison.Ordinal));
        Assert.Equal(tenant, line.Scopes["tenant_id"]);
        Assert.Matches("^[0-9a-f]{32}$", line.Scopes["TraceId"]);
    }

    private sealed class LoggingApp(ScopedLogs logs) : StoaApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
    }

    /// <summary>Keeps each log line with the scopes around it, as a structured log backend would.</summary>
    private sealed class ScopedLogs : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
        public System.Collections.Concurrent.ConcurrentQueue<(string Message, Dictionary<string, string?> Scopes)> Lines { get; } = new();

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(ScopedLogs logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> format)
            {
                var scopes = new Dictionary<string, string?>();
                logs._scopes.ForEachScope((scope, values) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object>> pairs)
                        foreach (var (key, value) in pairs) values[key] = value?.ToString();
                }, scopes);
                logs.Lines.Enqueue((format(state, e), scopes));
            }
        }
    }

    private static async Task WaitForAsync(OtlpReceiver receiver, string signal, params string[] texts)
    {
        var clock = Stopwatch.StartNew();
        while (!receiver.Has(signal, texts))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30),
                $"no {signal} export held {string.Join(", ", texts)}; the receiver got {receiver.Received.Count(r => r.Signal == signal)} {signal} exports");
            await Task.Delay(50); // polling the receiver for a state
        }
    }

    [Fact]
    public async Task The_prometheus_endpoint_answers_only_an_operator_of_every_tenant()
    {
        await using var app = new StoaApp();
        app.Settings["Stoa:Telemetry:Prometheus"] = "true";
        var tenant = StoaApp.NewTenant();
        var one = await app.OperatorAsync(tenant);
        await one.IngestAsync(tenant, Wire.Request("p1", T0));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync(Telemetry.ScrapePath)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await one.GetAsync(Telemetry.ScrapePath)).StatusCode);
        var all = await app.ClientWithTokenAsync(Roles.Operator, [StoaClaims.AllTenants], name: "prometheus");
        var scrape = await all.GetAsync(Telemetry.ScrapePath);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("stoa_ingest_events_total", await scrape.Content.ReadAsStringAsync());
    }
}
