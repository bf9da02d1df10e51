using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components.Layout;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Forwarding;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>
/// bUnit with MudBlazor set up as MudBlazor's own tests do (loose JS interop, no transitions) over
/// the real store: a migrated store of its own (<see cref="TestStore"/>), written through the app's EventWriter.
/// </summary>
public abstract class StoreTestContext : BunitContext, IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-bunit-").FullName;

    protected TestClock Clock { get; } = new(StoaApp.Epoch);
    protected StoaOptions Options { get; } = new();

    /// <summary>
    /// bUnit waits a second by default; a page's load is real queries on a real store, and the suite runs
    /// them in parallel on two cores (PostgreSQL's server on them too), so a wait gets ten.
    /// </summary>
    static StoreTestContext() => DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    protected StoreTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(TestStore.Settings(Path.Combine(_folder, "audit.db")))
            .Build();
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddAuditStore(configuration, new TestEnvironment(_folder));
        Services.AddEvidence(configuration, new TestEnvironment(_folder));
        Services.AddRetention(configuration, new TestEnvironment(_folder));
        Services.AddForwarding(configuration, new TestEnvironment(_folder));
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<EventWriter>();
        Services.AddMetrics();
        Services.AddSingleton<Stoa.Dashboard.Operations.StoaMetrics>();
        Services.AddSingleton<AdminActions>();
        Services.AddSingleton<Incidents>();
        Services.AddSingleton<Stoa.Dashboard.Alerts.AlertRules>();
        Services.AddSingleton<Stoa.Dashboard.Alerts.AlertEvaluator>();
        Services.AddSingleton<Stoa.Dashboard.Demo.DemoData>();
        Services.AddSingleton<Stoa.Dashboard.Live.LiveFeed>();
        Services.AddSingleton<Stoa.Dashboard.Export.ExportDownloads>();
        Services.AddSingleton<IOptions<StoaOptions>>(Microsoft.Extensions.Options.Options.Create(Options));
    }

    public async Task InitializeAsync() => await Services.MigrateAuditStoreAsync();

    // MudBlazor's services dispose asynchronously only: dispose the context here, before xunit's synchronous Dispose.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestStore.Drop(Path.Combine(_folder, "audit.db"));
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    protected Task StoreAsync(string tenant, params AuditEvent[] events) =>
        Services.GetRequiredService<EventWriter>().WriteAsync(tenant, EventBatch.Of(events));

    /// <summary>
    /// Finds and clicks in one turn of the renderer: a render in between (a reload finishing) would
    /// leave the found element's handler stale (bUnit's UnknownEventHandlerIdException).
    /// </summary>
    protected static Task ClickAsync<TPage>(IRenderedComponent<TPage> cut, string selector) where TPage : Microsoft.AspNetCore.Components.IComponent =>
        cut.InvokeAsync(() => cut.Find(selector).Click());

    /// <summary>Finds and changes a field in one turn of the renderer (see <see cref="ClickAsync"/>).</summary>
    protected static Task ChangeAsync<TPage>(IRenderedComponent<TPage> cut, string selector, string value) where TPage : Microsoft.AspNetCore.Components.IComponent =>
        cut.InvokeAsync(() => cut.Find(selector).Change(value));

    /// <summary>Renders a page as if the browser were at <paramref name="url"/>: query parameters and the cascaded view both come from it.</summary>
    protected IRenderedComponent<TPage> RenderAt<TPage>(string url, string role = Roles.Operator, string[]? consumers = null)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(url);
        return Render<TPage>(ps => ps.AddCascadingValue(ContextFor(url, role, consumers)));
    }

    /// <summary>The context the layout would cascade for this URL and caller.</summary>
    protected DashboardContext ContextFor(string url, string role = Roles.Operator, string[]? consumers = null, string tenant = "t1")
    {
        var view = DashboardView.Parse("http://localhost" + url, Clock);
        var principal = TokenPrincipal.Create(new ApiToken
        {
            Id = "test", Name = "tester", Role = role, Tenants = tenant, Consumers = string.Join(' ', consumers ?? []), SecretHash = "x",
        }, "Test");
        var caller = Caller.From(principal);
        return new DashboardContext(view, caller, caller.MayRead(view.Tenant ?? "") ? caller.ReadScope(view.Tenant!) : null, [tenant]);
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "Stoa.Dashboard";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

/// <summary>Events with every required field, for component tests to say only what matters.</summary>
public static class Make
{
    private static int _sequence;

    public static RequestEvent Request(DateTimeOffset at, string consumer = "cons_a", int status = 200, string method = "GET",
        string path = "/api/items", long latency = 10, string tenant = "t1") => new()
    {
        TenantId = tenant, RequestId = $"rq{Interlocked.Increment(ref _sequence)}", TimestampMs = at.ToUnixTimeMilliseconds(),
        ConsumerId = consumer, ConsumerName = consumer + "-name", ApiId = "api", Method = method, Path = path, StatusCode = status,
        LatencyMs = latency, RequestSizeBytes = 100, ResponseSizeBytes = 1000, GatewayVersion = "gw", Datacenter = "dc", KeyId = "key_" + consumer,
    };

    public static SecurityEvent Security(DateTimeOffset at, string type = "auth_failed", string actor = "1.2.3.4", string target = "key_x",
        string outcome = "failure", string tenant = "t1") => new()
    {
        TenantId = tenant, EventId = $"se{Interlocked.Increment(ref _sequence)}", Type = type, TimestampMs = at.ToUnixTimeMilliseconds(),
        Actor = actor, Target = target, Outcome = outcome,
    };

    public static BusinessEvent Business(DateTimeOffset at, string actor = "cons_a", string action = "deleted", string resourceType = "document",
        string resourceId = "1", string? requestId = null, string? changes = null, string tenant = "t1") => new()
    {
        TenantId = tenant, EventId = $"be{Interlocked.Increment(ref _sequence)}", TimestampMs = at.ToUnixTimeMilliseconds(), Action = action,
        ResourceType = resourceType, ResourceId = resourceId, ActorId = actor, RequestId = requestId,
        Changes = changes ?? """{"title":{"before":"Old title","after":null}}""",
    };
}
