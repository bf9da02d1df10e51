using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Retention;

/// <summary>Policies, legal holds and purges through the API, with a test clock moved past the windows.</summary>
public sealed class HoldAndPurgeTests : IAsyncLifetime
{
    private readonly StoaApp _app = new();
    private static readonly DateTimeOffset Old = StoaApp.Epoch.AddDays(-100);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IDbContextFactory<AuditDbContext> Store => _app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>();

    /// <summary>Three old days (one request, one security and one business event each, in day order), two recent requests, then a late one for day 1.</summary>
    private async Task<(HttpClient Operator, string Tenant)> TenantAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        var events = new List<JsonNode>();
        for (var day = 0; day < 3; day++)
        {
            events.Add(Wire.Request($"r{day}", Old.AddDays(day)));
            events.Add(Wire.Security($"s{day}", Old.AddDays(day).AddHours(1)));
            events.Add(Wire.Business(Old.AddDays(day).AddHours(2), resourceId: $"doc-{day}"));
        }
        events.Add(Wire.Request("recent-1", StoaApp.Epoch.AddDays(-2)));
        events.Add(Wire.Request("recent-2", StoaApp.Epoch.AddDays(-1)));
        await client.IngestAsync(tenant, [.. events]);
        await client.IngestAsync(tenant, Wire.Request("late", Old.AddDays(1).AddMinutes(5)));
        return (client, tenant);
    }

    private async Task<JsonNode> RunAsync(HttpClient client, string tenant)
    {
        var response = await client.PostAsync($"/v1/audit/{tenant}/retention/run", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<int> HotCountAsync(string tenant)
    {
        await using var db = await Store.CreateDbContextAsync();
        return await db.Requests.CountAsync(e => e.TenantId == tenant) + await db.BusinessEvents.CountAsync(e => e.TenantId == tenant)
            + await db.SecurityEvents.CountAsync(e => e.TenantId == tenant && e.Actor != Archiver.Actor && !e.Details!.Contains("legal_hold"));
    }

    [Fact]
    public async Task A_held_tenant_loses_nothing_and_the_run_says_what_it_skipped_until_the_hold_is_released()
    {
        var (client, tenant) = await TenantAsync();
        var placed = await client.PostAsync($"/v1/audit/{tenant}/holds?reason=Matter%2042%20litigation", null);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var holdId = (long)JsonNode.Parse(await placed.Content.ReadAsStringAsync())!["id"]!;

        var held = await RunAsync(client, tenant);
        Assert.Empty(held["archived"]!.AsArray());
        Assert.Contains(held["skipped"]!.AsArray(), s => ((string)s!).Contains($"legal hold {holdId} (Matter 42 litigation)"));
        Assert.Equal(12, await HotCountAsync(tenant));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/audit/{tenant}/holds/{holdId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/audit/{tenant}/holds/{holdId}")).StatusCode);
        Assert.Equal(9, (await RunAsync(client, tenant))["archived"]!.AsArray().Count);

        var security = await client.GetStringAsync($"/v1/audit/{tenant}/security?event_type=admin_action");
        Assert.Contains("legal_hold_placed", security);
        Assert.Contains("legal_hold_released", security);
    }

    [Fact]
    public async Task A_hold_on_a_window_keeps_only_the_days_it_covers()
    {
        var (client, tenant) = await TenantAsync();
        var from = Wire.Time(Old.AddDays(1).Date);
        var to = Wire.Time(Old.AddDays(2).Date);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/v1/audit/{tenant}/holds?reason=audit&from={from}&to={to}", null)).StatusCode);

        var run = await RunAsync(client, tenant);
        var days = run["archived"]!.AsArray().Select(f => (string)f!["day"]!).Distinct().Order().ToList();
        Assert.Equal([$"{Old:yyyy-MM-dd}", $"{Old.AddDays(2):yyyy-MM-dd}"], days);
        Assert.Equal(3, run["skipped"]!.AsArray().Count); // day 1 of each kind
    }

    [Fact]
    public async Task A_purge_deletes_files_past_the_archive_window_in_seq_order_keeps_deletion_records_and_the_chain_verifies_from_its_base()
    {
        var (client, tenant) = await TenantAsync();
        await RunAsync(client, tenant);
        _app.Clock.Now = StoaApp.Epoch.AddMonths(13);
        try
        {
            var run = await RunAsync(client, tenant);
            // Day 0 goes. Day 1 waits: its late event arrived after the recent ones, which are archived but kept;
            // day 2's events arrived after day 1's first, so they wait with it and the chain keeps one base.
            var purged = run["purged"]!.AsArray();
            Assert.Equal([$"{Old:yyyy-MM-dd}"], purged.Select(f => (string)f!["day"]!).Distinct().ToList());
            Assert.Equal(3, purged.Count);
            Assert.Contains(run["skipped"]!.AsArray(), s => ((string)s!).Contains("purge waits"));

            var retention = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/retention"))!;
            var deletions = retention["deletions"]!.AsArray();
            Assert.Equal(3, deletions.Count);
            Assert.All(deletions, d => Assert.Matches("^[0-9a-f]{64}$", (string)d!["sha256"]!));
            Assert.Equal(3L, (long)retention["chain_base_seq"]!);
            var deleted = deletions[0]!;
            var archive = _app.Services.GetRequiredService<ArchiveDirectory>();
            Assert.False(File.Exists(Path.Combine(archive.Root, (string)deleted["path"]!)));
            Assert.True(File.Exists(ArchiveManifest.PathOf(Path.Combine(archive.Root, (string)deleted["path"]!))));
            Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync($"/v1/audit/{tenant}/archive/{deleted["id"]}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/audit/{tenant}/archive/{deleted["id"]}/manifest.json")).StatusCode);

            var report = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/verify"))!;
            Assert.True((bool)report["intact"]!, report.ToJsonString());
            Assert.Equal(4L, (long)report["from_seq"]!);
        }
        finally
        {
            _app.Clock.Now = StoaApp.Epoch;
        }
    }

    [Fact]
    public async Task Operators_set_a_policy_by_preset_or_days_and_months_and_a_bad_one_is_a_400_that_says_what_to_send()
    {
        var (client, tenant) = await TenantAsync();
        var before = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/retention"))!;
        Assert.Equal("90d/12mo", (string)before["policy"]!);
        Assert.True((bool)before["is_default"]!);
        Assert.Equal(Wire.Time(Old), (string)before["oldest_hot_event"]!);

        var dora = JsonNode.Parse(await (await client.PutAsync($"/v1/audit/{tenant}/retention?policy=dora", null)).Content.ReadAsStringAsync())!;
        Assert.Equal(("90d/60mo", "dora"), ((string)dora["policy"]!, (string)dora["preset"]!));
        var custom = await client.PutAsync($"/v1/audit/{tenant}/retention?policy=30d/24mo", null);
        Assert.Equal(HttpStatusCode.OK, custom.StatusCode);

        foreach (var bad in new[] { "forever", "0d/12mo", "90d", "90d/99999mo" })
        {
            var response = await client.PutAsync($"/v1/audit/{tenant}/retention?policy={Uri.EscapeDataString(bad)}", null);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("policy", await response.Content.ReadAsStringAsync());
        }
        var changes = await client.GetStringAsync($"/v1/audit/{tenant}/security?event_type=admin_action");
        Assert.Contains("retention_policy_changed", changes);
        Assert.Contains("30d/24mo", changes);

        var none = await client.PutAsync($"/v1/audit/{tenant}/retention?policy=none", null);
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Empty((await RunAsync(client, tenant))["archived"]!.AsArray());
        var clientToken = await _app.ClientWithTokenAsync("client", [tenant], ["cons_a"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await clientToken.PutAsync($"/v1/audit/{tenant}/retention?policy=none", null)).StatusCode);
    }
}
