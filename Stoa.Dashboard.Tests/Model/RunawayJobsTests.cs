using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Model;

/// <summary>Runaway-job detection on the demo data: the scraper, and none of the busy but ordinary consumers.</summary>
public sealed class RunawayJobsTests(DemoApp app) : IClassFixture<DemoApp>
{
    private async Task<IReadOnlyList<RunawayEpisode>> FindAsync(string tenant, RunawayOptions? options = null)
    {
        _ = app.Server; // starts the app, which loads the demo
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var now = StoaApp.Epoch.ToUnixTimeMilliseconds();
        return await RunawayJobs.FindAsync(db, new AuditScope(tenant, null), new TimeWindow(now - 14 * AuditTime.DayMs, now), options ?? new RunawayOptions());
    }

    [Fact]
    public async Task The_demos_scraper_and_stuck_report_job_are_flagged_and_no_ordinary_consumer_is()
    {
        var episodes = await FindAsync("tenant_abc");

        Assert.Equal(["cons_reporting", "cons_scraper01"], episodes.Select(e => e.ConsumerId).Order());
        var stuck = episodes.Single(e => e.ConsumerId == "cons_reporting");
        Assert.InRange(stuck.Hours, 4.9, 6); // its five hours, and any ordinary request of its own within ten minutes of either end
        var scraper = episodes.Single(e => e.ConsumerId == "cons_scraper01");
        Assert.InRange(scraper.Hours, 1.3, 2.5); // its whole ten minutes, 100 minutes of them
        Assert.InRange(scraper.Requests, 1_200, 1_530); // its 1,500 but for a partial first and last ten minutes
        Assert.True(scraper.LongestPauseMs <= 10 * 60_000, $"longest pause {scraper.LongestPauseMs} ms"); // the rule: no pause over ten minutes
    }

    [Fact]
    public async Task A_brute_force_on_a_consumers_key_is_not_its_job()
    {
        // 3,200 refused requests in 48 minutes against cons_acme_erp's key: the security page's finding, not a runaway job.
        Assert.DoesNotContain(await FindAsync("tenant_abc", new RunawayOptions { MinHours = 0.5 }), e => e.ConsumerId == "cons_acme_erp");
    }

    [Fact]
    public async Task The_thresholds_are_settings()
    {
        // Two hours without a pause is more than the scraper ran; half a request a minute lets the failing integration in.
        Assert.Equal(["cons_reporting"], (await FindAsync("tenant_abc", new RunawayOptions { MinHours = 2 })).Select(e => e.ConsumerId));
        Assert.Contains(await FindAsync("tenant_abc", new RunawayOptions { MinRequestsPerMinute = 0.5, MaxPauseMinutes = 5, MinHours = 6 }),
            e => e.ConsumerId == "cons_acme_erp");
    }
}
