using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Cli;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Live;

/// <summary>The real server on Kestrel, every log line kept, so tests can also prove what is never logged.</summary>
public class LiveApp : StoaApp, IAsyncLifetime
{
    public ConcurrentQueue<string> Logs { get; } = new();
    public Uri BaseUri { get; private set; } = null!;

    public LiveApp()
    {
        Settings["Logging:LogLevel:Default"] = "Trace";
        Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new CollectingLoggerProvider(Logs)));
    }

    public virtual Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        BaseUri = ClientOptions.BaseAddress;
        return Task.CompletedTask;
    }

    public new Task DisposeAsync() => base.DisposeAsync().AsTask();

    public async Task<(string Secret, ApiToken Token)> TokenAsync(string role, string[] tenants, string[]? consumers = null)
    {
        var (token, secret) = await Services.GetRequiredService<TokenService>().CreateAsync(new TokenRequest(role, tenants, consumers ?? [], null, null));
        return (secret, token);
    }

    /// <summary>A real SignalR client over WebSockets (<see cref="HubClient"/>).</summary>
    public Task<(HubConnection Connection, ChannelReader<JsonElement> Events)> ConnectAsync(string secret, bool tokenInQuery = false) =>
        HubClient.ConnectAsync(BaseUri, secret, tokenInQuery);

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string category) => new Collector(category, logs);
        public void Dispose() { }

        private sealed class Collector(string category, ConcurrentQueue<string> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel level) => true;
            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> format) =>
                logs.Enqueue($"{category}: {format(state, e)} {e}");
        }
    }
}

public sealed class HubTests(LiveApp app) : IClassFixture<LiveApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddMinutes(-5);

    public static async Task<JsonElement> NextAsync(ChannelReader<JsonElement> events)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await events.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task An_ingested_event_reaches_a_subscriber_in_the_apis_json_with_its_seq_and_its_delay_since_the_commit_is_measured()
    {
        var tenant = StoaApp.NewTenant();
        using var sinceCommit = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<double>(
            app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Stoa.Dashboard.Operations.StoaMetrics.Name, "stoa.live.delivery.duration");
        var (secret, _) = await app.TokenAsync(Roles.Operator, [tenant]);
        var ingest = await app.OperatorAsync(tenant);
        var (connection, received) = await app.ConnectAsync(secret);
        await connection.InvokeAsync("Subscribe", tenant, new HubFilter());

        await ingest.IngestAsync(tenant, Wire.Request("live-1", T0, consumer: "cons_a", status: 503));

        var e = await NextAsync(received);
        Assert.Equal("live-1", e.GetProperty("request_id").GetString());
        Assert.Equal("2026-03-11T11:55:00.000Z", e.GetProperty("timestamp").GetString());
        Assert.Equal(503, e.GetProperty("status_code").GetInt32());
        Assert.Equal(1, e.GetProperty("seq").GetInt64()); // the same permanent number the REST API gives it
        Assert.Contains("→ 503", TailCommand.Line(e));
        await sinceCommit.WaitForMeasurementsAsync(1, Patience);
        Assert.InRange(sinceCommit.LastMeasurement!.Value, 0, Patience.TotalSeconds); // seconds from the commit to the send
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task A_client_receives_only_its_consumers_events()
    {
        var tenant = StoaApp.NewTenant();
        var (secret, _) = await app.TokenAsync(Roles.Client, [tenant], ["cons_mine"]);
        var ingest = await app.OperatorAsync(tenant);
        var (connection, events) = await app.ConnectAsync(secret);
        await connection.InvokeAsync("Subscribe", tenant, new HubFilter());

        await ingest.IngestAsync(tenant, Wire.Request("other", T0, consumer: "cons_other"), Wire.Security("s-other", T0, actor: "cons_other"),
            Wire.Business(T0, actor: "cons_other"));
        await ingest.IngestAsync(tenant, Wire.Request("mine", T0, consumer: "cons_mine"));

        var e = await NextAsync(events);
        Assert.Equal("mine", e.GetProperty("request_id").GetString());
        Assert.False(events.TryRead(out _));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task While_tenant_b_ingests_a_thousand_events_a_tenant_a_subscriber_receives_none()
    {
        var (a, b) = (StoaApp.NewTenant("a"), StoaApp.NewTenant("b"));
        var (secret, _) = await app.TokenAsync(Roles.Operator, [a]);
        var ingest = await app.OperatorAsync(a, b);
        var (connection, events) = await app.ConnectAsync(secret);
        await connection.InvokeAsync("Subscribe", a, new HubFilter());

        for (var batch = 0; batch < 10; batch++)
            await ingest.IngestAsync(b, Enumerable.Range(0, 100).Select(i => (JsonNode)Wire.Request($"b{batch}-{i}", T0)).ToArray());
        await ingest.IngestAsync(a, Wire.Request("a-marker", T0));

        // Events reach a connection in commit order: the first thing A receives comes after all of B's.
        var first = await NextAsync(events);
        Assert.Equal("a-marker", first.GetProperty("request_id").GetString());
        Assert.False(events.TryRead(out _));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Filters_narrow_what_a_subscriber_receives()
    {
        var tenant = StoaApp.NewTenant();
        var (secret, _) = await app.TokenAsync(Roles.Operator, [tenant]);
        var ingest = await app.OperatorAsync(tenant);
        var (connection, events) = await app.ConnectAsync(secret);
        await connection.InvokeAsync("Subscribe", tenant, new HubFilter(StatusClass: 5, Kind: "request"));

        await ingest.IngestAsync(tenant, Wire.Request("ok", T0, status: 200), Wire.Security("s", T0), Wire.Request("bad", T0, status: 502));

        Assert.Equal("bad", (await NextAsync(events)).GetProperty("request_id").GetString());
        Assert.False(events.TryRead(out _));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Subscribing_to_a_tenant_the_token_may_not_read_fails_the_same_as_a_missing_one()
    {
        var (mine, theirs) = (StoaApp.NewTenant(), StoaApp.NewTenant());
        await app.OperatorAsync(theirs);
        var (secret, _) = await app.TokenAsync(Roles.Operator, [mine]);
        var (connection, _) = await app.ConnectAsync(secret);
        var forbidden = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Subscribe", theirs, new HubFilter()));
        var missing = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Subscribe", "no_such_tenant", new HubFilter()));
        Assert.Equal(forbidden.Message, missing.Message.Replace("no_such_tenant", theirs));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task A_connection_without_a_valid_token_is_refused()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => app.ConnectAsync("stoa_nope_nope"));
    }

    [Fact]
    public async Task A_revoked_tokens_connection_is_closed_within_seconds_and_its_token_never_logged()
    {
        var tenant = StoaApp.NewTenant();
        var (secret, token) = await app.TokenAsync(Roles.Operator, [tenant]);
        var (connection, _) = await app.ConnectAsync(secret, tokenInQuery: true);
        await connection.InvokeAsync("Subscribe", tenant, new HubFilter());
        var closed = new TaskCompletionSource();
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await app.Services.GetRequiredService<TokenService>().RevokeAsync(token.Id);

        await closed.Task.WaitAsync(HubTokenWatch.Interval * 5);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
        Assert.NotEmpty(app.Logs);
        Assert.DoesNotContain(app.Logs, line => line.Contains(secret));
    }
    [Fact]
    public async Task A_connection_that_cannot_be_closed_leaves_the_others_to_be_closed()
    {
        var tenant = StoaApp.NewTenant();
        var tokens = app.Services.GetRequiredService<TokenService>();
        var subscriptions = app.Services.GetRequiredService<HubSubscriptions>();
        var (secret, token) = await app.TokenAsync(Roles.Operator, [tenant]);
        var (connection, _) = await app.ConnectAsync(secret);
        var stuck = new List<StuckConnection>();
        for (var i = 0; i < 2; i++)
        {
            var (_, revoked) = await app.TokenAsync(Roles.Operator, [tenant]);
            await tokens.RevokeAsync(revoked.Id);
            stuck.Add(new StuckConnection(revoked.Id));
            subscriptions.Connect(stuck[^1]);
        }
        var closed = new TaskCompletionSource();
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await tokens.RevokeAsync(token.Id);

        await app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<HubTokenWatch>().Single().CloseRevokedAsync(CancellationToken.None);

        Assert.All(stuck, s => Assert.True(s.AbortTried, "every revoked token's connection is tried, whichever failed first"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var s in stuck) subscriptions.Disconnect(s.ConnectionId);
    }

    /// <summary>A hub connection (a fake at the edge: SignalR's own type) whose closing throws.</summary>
    private sealed class StuckConnection(string tokenId) : HubCallerContext
    {
        public bool AbortTried { get; private set; }
        public override string ConnectionId { get; } = $"stuck-{Guid.NewGuid():N}";
        public override string? UserIdentifier => null;
        public override System.Security.Claims.ClaimsPrincipal? User { get; } =
            new(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(StoaClaims.TokenId, tokenId)], "Test"));
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
            AbortTried = true;
            throw new InvalidOperationException("this connection cannot be closed");
        }
    }
}


/// <summary>The terminal tail, run as a user runs it: the real program, against the real server.</summary>
public sealed class TailCommandTests(LiveApp app) : IClassFixture<LiveApp>
{
    [Fact]
    public async Task Tail_prints_one_line_per_event_as_it_arrives()
    {
        var tenant = StoaApp.NewTenant();
        var (secret, _) = await app.TokenAsync(Roles.Operator, [tenant]);
        var ingest = await app.OperatorAsync(tenant);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { AppBuild.DllPath, "tail", "--url", app.BaseUri.ToString(), "--token", secret, "--tenant", tenant, "--status-class", "5" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var banner = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.StartsWith($"# tailing {tenant}", banner);

            await ingest.IngestAsync(tenant, Wire.Request("fine", StoaApp.Epoch.AddMinutes(-1), status: 200),
                Wire.Request("broken", StoaApp.Epoch.AddMinutes(-1), consumer: "cons_z", status: 502, method: "POST", path: "/api/pay"));

            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.Equal("2026-03-11T11:59:00.000Z  request   cons_z  POST /api/pay → 502", line);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Tail_with_a_bad_token_says_so_and_fails()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { AppBuild.DllPath, "tail", "--url", app.BaseUri.ToString(), "--token", "stoa_bad_bad", "--tenant", "t" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("Cannot tail", error);
    }
}

/// <summary>The live server configured for Microsoft Entra ID, against a local authority.</summary>
public sealed class EntraLiveApp : LiveApp
{
    public LocalAuthority Authority { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Authority = await LocalAuthority.StartForAsync(Settings);
        await base.InitializeAsync();
    }
}

public sealed class EntraHubTests(EntraLiveApp app) : IClassFixture<EntraLiveApp>
{
    [Fact]
    public async Task An_entra_client_subscribes_with_an_access_token_and_receives_only_its_consumers_events()
    {
        var tenant = StoaApp.NewTenant();
        var user = DirectoryUser.New("claire", Stoa.Dashboard.Auth.Entra.EntraUser.ClientAppRole);
        Assert.Null(await app.Services.GetRequiredService<Stoa.Dashboard.Auth.Entra.EntraGrants>().GrantAsync(EntraApp.GrantingOperator, tenant, user.Email, ["cons_mine"]));
        var ingest = await app.OperatorAsync(tenant);
        var (connection, events) = await app.ConnectAsync(app.Authority.Mint(user));
        await connection.InvokeAsync("Subscribe", tenant, new HubFilter());
        // The watch that closes revoked tokens' connections leaves an Entra token's alone until it expires.
        await app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<HubTokenWatch>().Single().CloseRevokedAsync(CancellationToken.None);

        var t0 = StoaApp.Epoch.AddMinutes(-5);
        await ingest.IngestAsync(tenant, Wire.Request("other", t0, consumer: "cons_other"));
        await ingest.IngestAsync(tenant, Wire.Request("mine", t0, consumer: "cons_mine"));

        Assert.Equal("mine", (await HubTests.NextAsync(events)).GetProperty("request_id").GetString());
        Assert.False(events.TryRead(out _));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task A_forged_entra_token_cannot_connect()
    {
        var forged = app.Authority.Mint(DirectoryUser.New("eve", Stoa.Dashboard.Auth.Entra.EntraUser.OperatorAppRole), signWith: LocalAuthority.ForgedKey());
        await Assert.ThrowsAnyAsync<Exception>(() => app.ConnectAsync(forged));
    }
}
