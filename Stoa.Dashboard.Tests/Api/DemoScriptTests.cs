using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Demo;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>
/// The curl | jq questions of the gateway's world, asked of the demo data set, and checked against
/// the store itself: the answers must be exact.
/// </summary>
public sealed class DemoScriptTests(DemoScriptTests.DemoApp app) : IClassFixture<DemoScriptTests.DemoApp>
{
    public sealed class DemoApp : StoaApp, IAsyncLifetime
    {
        public DemoApp() => Settings["Stoa:Demo:Enabled"] = "true";

        public HttpClient Operator { get; private set; } = null!;

        public async Task InitializeAsync() => Operator = await OperatorAsync();

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

        public async Task<T> QueryAsync<T>(Func<AuditDbContext, Task<T>> query)
        {
            await using var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
            return await query(db);
        }
    }

    private long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    [Fact]
    public async Task The_3am_delete_is_found_with_its_business_record()
    {
        // The clock reads Wednesday 2026-03-11 12:00: "last Tuesday at 3am" is the day before.
        var page = await app.Operator.GetJsonAsync(
            "/v1/audit/tenant_abc?method=DELETE&from=2026-03-10T03:00:00Z&to=2026-03-10T04:00:00Z&path_prefix=/api/documents/");
        var delete = page["logs"]!.AsArray().Single(l => (string?)l!["path"] == DemoIncidents.DeletedDocumentPath)!;
        Assert.Equal("2026-03-10T03:17:42.123Z", (string?)delete["timestamp"]);
        Assert.Equal("cons_xyz789", (string?)delete["consumer_id"]);
        Assert.Equal("my-saas-client", (string?)delete["consumer_name"]);

        var business = await app.Operator.GetJsonAsync($"/v1/audit/tenant_abc/business?request_id={delete["request_id"]}");
        var record = Assert.Single(business["events"]!.AsArray())!;
        Assert.Equal("deleted", (string?)record["action"]);
        Assert.Equal("12345", (string?)record["resource_id"]);
        Assert.Equal("active", (string?)record["changes"]!["status"]!["before"]);
    }

    [Fact]
    public async Task Last_n_requests_are_the_newest_n()
    {
        var page = await app.Operator.GetJsonAsync("/v1/audit/tenant_abc?limit=50");
        var newest = await app.QueryAsync(db => db.Requests.Where(r => r.TenantId == "tenant_abc")
            .OrderByDescending(r => r.TimestampMs).ThenByDescending(r => r.Id).Take(50).Select(r => r.RequestId).ToListAsync());
        Assert.Equal(newest, page["logs"]!.AsArray().Select(l => (string)l!["request_id"]!));
    }

    [Fact]
    public async Task Five_hundreds_of_the_last_24h_are_exact()
    {
        var page = await app.Operator.GetJsonAsync("/v1/audit/tenant_abc?status_min=500&hours=24&limit=10000");
        var since = Ms(app.Clock.Now.AddHours(-24));
        var expected = await app.QueryAsync(db => db.Requests.CountAsync(r => r.TenantId == "tenant_abc" && r.StatusCode >= 500 && r.TimestampMs >= since));
        Assert.Equal(expected, (int)page["count"]!);
        Assert.All(page["logs"]!.AsArray(), l => Assert.True((int)l!["status_code"]! >= 500));
    }

    [Fact]
    public async Task One_consumers_activity_and_security_events_by_type()
    {
        var activity = await app.Operator.GetJsonAsync("/v1/audit/tenant_abc?consumer_id=cons_scraper01&days=7&limit=10000");
        Assert.All(activity["logs"]!.AsArray(), l => Assert.Equal("cons_scraper01", (string?)l!["consumer_id"]));
        Assert.True(activity["logs"]!.AsArray().Count(l => (int)l!["status_code"]! == 429) > 500, "the scraper hits the rate limit hundreds of times");

        var security = await app.Operator.GetJsonAsync("/v1/audit/tenant_abc/security?days=7&limit=10000");
        var byType = security["events"]!.AsArray().GroupBy(e => (string)e!["type"]!).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byType["auth_failed"] >= 3000, "the brute-force run");
        Assert.Contains("key_revoked", byType.Keys);
        Assert.Contains("key_rotated", byType.Keys);
        Assert.Contains("consumer_suspended", byType.Keys);
        var onKey = await app.Operator.GetJsonAsync($"/v1/audit/tenant_abc/security?event_type=auth_failed&target={DemoIncidents.BruteForcedKey}&limit=10000");
        Assert.True((int)onKey["count"]! >= 3200);
    }

    [Fact]
    public async Task Csv_export_of_the_last_week_holds_every_request_of_the_week()
    {
        var csv = await app.Operator.GetStringAsync("/v1/audit/tenant_abc/export/csv?days=7");
        var since = Ms(app.Clock.Now.AddDays(-7));
        var expected = await app.QueryAsync(db => db.Requests.CountAsync(r => r.TenantId == "tenant_abc" && r.TimestampMs >= since));
        Assert.True(expected > 10_000);
        Assert.Equal(expected + 1, Csv.Parse(csv).Count);
    }

    [Fact]
    public async Task Demo_has_three_tenants_and_a_few_dozen_consumers_over_two_weeks()
    {
        var tenants = await app.QueryAsync(db => db.Tenants.Select(t => t.TenantId).OrderBy(t => t).ToListAsync());
        Assert.Equal(["tenant_abc", "tenant_globex", "tenant_initech"], tenants);
        var consumers = await app.QueryAsync(db => db.Requests.Select(r => r.ConsumerId).Distinct().CountAsync());
        Assert.InRange(consumers, 24, 60);
        var oldest = await app.QueryAsync(db => db.Requests.MinAsync(r => r.TimestampMs));
        Assert.InRange(app.Clock.Now.ToUnixTimeMilliseconds() - oldest, TimeSpan.FromDays(13).TotalMilliseconds, TimeSpan.FromDays(14).TotalMilliseconds);
    }
}
