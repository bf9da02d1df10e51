using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Demo;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Alerts;

/// <summary>
/// Alert rules over the real store: each fires once per episode, counts every stored event (not a
/// sample), records an <c>alert_fired</c> event once however often it is re-run, and a restarted
/// evaluator refills its windows from the store, so an episode split by a restart fires once.
/// </summary>
public sealed class AlertEvaluatorTests : StoreTestContext
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-3);

    private AlertRules Rules => Services.GetRequiredService<AlertRules>();
    private AlertEvaluator Evaluator => Services.GetRequiredService<AlertEvaluator>();

    private async Task<List<Alert>> AlertsAsync(string tenant = "t1")
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        return await db.Alerts.AsNoTracking().Where(a => a.TenantId == tenant).OrderBy(a => a.Id).ToListAsync();
    }

    private async Task<List<SecurityEvent>> AlertEventsAsync(string tenant = "t1")
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        return await db.SecurityEvents.AsNoTracking().Where(e => e.TenantId == tenant && e.Type == AuditVocabulary.AlertEventType).ToListAsync();
    }

    /// <summary><paramref name="count"/> failed sign-ins against <paramref name="target"/>, one every <paramref name="everySeconds"/> from <paramref name="start"/>.</summary>
    private Task FailedSignInsAsync(DateTimeOffset start, int count, double everySeconds, string target = "key_x") =>
        StoreAsync("t1", Enumerable.Range(0, count).Select(i => (AuditEvent)Make.Security(start.AddSeconds(i * everySeconds), target: target)).ToArray());

    [Fact]
    public async Task A_brute_force_fires_once_grows_while_it_lasts_and_fires_again_only_after_a_quiet_window()
    {
        await Rules.AddAsync("tester", "t1", new AlertRuleRequest(null, "brute_force", 20, 5, null, null, null));
        await FailedSignInsAsync(T0, 19, 10); // 19 in 3 minutes: under the threshold
        await Evaluator.EvaluateAsync();
        Assert.Empty(await AlertsAsync());

        await FailedSignInsAsync(T0.AddSeconds(190), 1, 1); // the 20th within 5 minutes
        await FailedSignInsAsync(T0.AddSeconds(200), 100, 3); // the attack goes on for 5 more minutes
        await FailedSignInsAsync(T0.AddSeconds(200), 30, 3, target: "key_other"); // another target: its own episode
        await Evaluator.EvaluateAsync();
        var alerts = await AlertsAsync();
        var alert = Assert.Single(alerts, a => a.Key == "key_x");
        Assert.Equal(120, alert.Count);
        Assert.Equal(T0.AddSeconds(190).ToUnixTimeMilliseconds(), alert.FiredAtMs);
        Assert.Equal(T0.AddSeconds(200 + 99 * 3).ToUnixTimeMilliseconds(), alert.LastAtMs);
        Assert.Single(alerts, a => a.Key == "key_other");
        Assert.Contains("20 failed sign-ins for target key_x within 5 min", alert.Summary);

        await FailedSignInsAsync(T0.AddMinutes(12), 10, 1); // a few more, 5 minutes after the last: under the threshold again
        await FailedSignInsAsync(T0.AddMinutes(40), 25, 1); // a new attack after a quiet window
        await Evaluator.EvaluateAsync();
        Assert.Equal(2, (await AlertsAsync()).Count(a => a.Key == "key_x"));
        var events = await AlertEventsAsync();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(AlertEvaluator.Actor, e.Actor));
        Assert.Contains(events, e => e.EventId == AlertEvaluator.AlertEventId(alert.RuleId, alert.TriggerSeq) && e.TimestampMs == alert.FiredAtMs);
    }

    [Fact]
    public async Task A_restarted_evaluator_refills_its_windows_so_a_burst_split_by_the_restart_fires_once_and_nothing_twice()
    {
        await Rules.AddAsync("tester", "t1", new AlertRuleRequest(null, "brute_force", 20, 5, null, null, null));
        await FailedSignInsAsync(T0, 15, 5);
        await Evaluator.EvaluateAsync();
        Assert.Empty(await AlertsAsync());

        var restarted = ActivatorUtilities.CreateInstance<AlertEvaluator>(Services); // a new process: nothing in memory
        await FailedSignInsAsync(T0.AddSeconds(80), 10, 5);
        await restarted.EvaluateAsync();
        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(T0.AddSeconds(80 + 4 * 5).ToUnixTimeMilliseconds(), alert.FiredAtMs); // the 20th of the window

        var again = ActivatorUtilities.CreateInstance<AlertEvaluator>(Services);
        await FailedSignInsAsync(T0.AddSeconds(140), 5, 5); // the same episode goes on
        await again.EvaluateAsync();
        Assert.Equal(30, Assert.Single(await AlertsAsync()).Count); // 20 when it fired, 5 more before the restart, 5 after
        Assert.Single(await AlertEventsAsync());
    }

    [Fact]
    public async Task An_episode_stored_without_its_alert_fired_event_gets_it_at_the_next_start()
    {
        var rule = await Rules.AddAsync("tester", "t1", new AlertRuleRequest(null, "brute_force", 20, 5, null, null, null));
        await FailedSignInsAsync(T0, 25, 1);
        // What a kill between storing a batch's episodes and recording their events leaves: the episode, the cursor past it, no event.
        await using (var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync())
        {
            var twentieth = await db.SecurityEvents.Where(e => e.TenantId == "t1" && e.Target == "key_x").OrderBy(e => e.Seq).Skip(19).FirstAsync();
            var last = await db.SecurityEvents.Where(e => e.TenantId == "t1").MaxAsync(e => e.Seq);
            db.Alerts.Add(new Alert
            {
                TenantId = "t1", RuleId = rule.Id, RuleName = rule.Name, RuleType = rule.Type, Key = "key_x", TriggerSeq = twentieth.Seq,
                FiredAtMs = twentieth.TimestampMs, LastSeq = last, LastAtMs = T0.AddSeconds(24).ToUnixTimeMilliseconds(), Count = 25,
                Summary = "20 failed sign-ins for target key_x within 5 min", WindowMs = 300_000,
            });
            await db.SaveChangesAsync();
            await db.AlertCursors.Where(c => c.TenantId == "t1").ExecuteUpdateAsync(set => set.SetProperty(c => c.EvaluatedSeq, last));
        }

        await Evaluator.EvaluateAsync();
        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(AlertEvaluator.AlertEventId(rule.Id, alert.TriggerSeq), Assert.Single(await AlertEventsAsync()).EventId);
        await ActivatorUtilities.CreateInstance<AlertEvaluator>(Services).EvaluateAsync(); // and once only, however often it starts
        Assert.Single(await AlertEventsAsync());
    }

    [Fact]
    public async Task An_error_rate_rule_needs_enough_requests_and_counts_only_failures_as_hits()
    {
        await Rules.AddAsync("tester", "t1", new AlertRuleRequest("Failing consumer", "error_rate", 50, 10, 40, null, null));
        var requests = new List<AuditEvent>();
        for (var i = 0; i < 30; i++) requests.Add(Make.Request(T0.AddSeconds(i), consumer: "cons_few", status: 500)); // all fail, too few
        for (var i = 0; i < 100; i++) requests.Add(Make.Request(T0.AddSeconds(i), consumer: "cons_ok", status: i % 4 == 0 ? 500 : 200)); // 25%
        for (var i = 0; i < 100; i++) requests.Add(Make.Request(T0.AddSeconds(i), consumer: "cons_bad", status: i % 3 == 0 ? 200 : 429)); // 66%
        await StoreAsync("t1", requests.ToArray());
        await Evaluator.EvaluateAsync();
        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal("cons_bad", alert.Key);
        Assert.StartsWith("Failing consumer: consumer cons_bad failed ", alert.Summary);
    }

    [Fact]
    public async Task The_demo_brute_force_scraper_spike_and_stuck_job_each_fire_once()
    {
        await Services.GetRequiredService<DemoData>().LoadAsync();
        await Evaluator.EvaluateAsync();
        var alerts = await AlertsAsync(DemoTenants.Abc.Id);
        Assert.Single(alerts, a => a.RuleType == "brute_force" && a.Key == DemoIncidents.BruteForcedKey);
        Assert.Single(alerts, a => a.RuleType == "error_rate" && a.Key == "cons_scraper01");
        Assert.Single(alerts, a => a.RuleType == "server_errors" && a.Key == "billing-api");
        Assert.Single(alerts, a => a.RuleType == "runaway_job" && a.Key.StartsWith("cons_reporting GET /api/reports/daily", StringComparison.Ordinal));
        Assert.Single(alerts, a => a.RuleType == "event_types" && a.Key == $"key_revoked {DemoIncidents.BruteForcedKey}");
        Assert.Single(alerts, a => a.RuleType == "event_types" && a.Key == "consumer_suspended cons_scraper01" && a.Summary == "Watched events: consumer_suspended on cons_scraper01");
        Assert.Equal(alerts.Count, (await AlertEventsAsync(DemoTenants.Abc.Id)).Count);
    }
}
