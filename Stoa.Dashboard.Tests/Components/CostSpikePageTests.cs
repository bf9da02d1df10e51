using Bunit;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The unexpected-cost playbook: the spike's day marked, who made it against their usual days, the cap to suggest, the runaway job.</summary>
public sealed class CostSpikePageTests : StoreTestContext
{
    private static readonly DateTimeOffset Today = new(2026, 3, 11, 0, 0, 0, TimeSpan.Zero); // the test clock is 12:00 that day

    [Fact]
    public async Task The_spike_day_its_makers_their_caps_and_the_runaway_job_are_shown()
    {
        var events = new List<AuditEvent>();
        for (var day = 1; day <= 14; day++)
            for (var i = 0; i < 40; i++)
            {
                events.Add(Make.Request(Today.AddDays(-day).AddMinutes(9 + i * 30), "cons_steady"));
                if (i % 4 == 0) events.Add(Make.Request(Today.AddDays(-day).AddMinutes(20 + i * 30), "cons_sync"));
            }
        // Yesterday afternoon: a job polling every 5 seconds for two hours, nobody watching.
        for (var i = 0; i < 1_440; i++) events.Add(Make.Request(Today.AddDays(-1).AddHours(14).AddSeconds(i * 5), "cons_sync", path: "/api/poll"));
        foreach (var chunk in events.Chunk(2_000)) await StoreAsync("t1", chunk);

        var cut = RenderAt<CostSpikePage>("/playbooks/cost-spike?tenant=t1&days=14");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#spike-days tr.spike-day")), TimeSpan.FromSeconds(10));
        Assert.Equal("2026-03-10", cut.Find("#spike-days tr.spike-day").GetAttribute("data-date"));
        Assert.Contains("had 1,490 requests", cut.Find("#spike-verdict").TextContent);
        var sync = cut.Find("#spike-consumers tr[data-consumer='cons_sync']");
        Assert.Equal("cons_sync", cut.FindAll("#spike-consumers tbody tr")[0].GetAttribute("data-consumer")); // furthest above its usual
        Assert.Equal("100", sync.QuerySelector(".cap")!.TextContent); // its busiest usual day, 10 requests, ×1.5, and never under 100
        Assert.Equal("156.2", sync.QuerySelector(".ratio")!.TextContent); // 1,450 that day against 130 over the 14 days before (one without data)
        var runaway = Assert.Single(cut.FindAll("#runaways tr[data-consumer]"));
        Assert.Equal("cons_sync", runaway.GetAttribute("data-consumer"));
        Assert.Contains("1,441", runaway.TextContent); // the 1,440 polls and its ordinary 14:20 request among them
    }

    [Fact]
    public async Task A_window_without_a_spike_says_so()
    {
        for (var day = 1; day <= 5; day++)
            await StoreAsync("t1", Enumerable.Range(0, 20).Select(i => (AuditEvent)Make.Request(Today.AddDays(-day).AddMinutes(i * 30))).ToArray());
        var cut = RenderAt<CostSpikePage>("/playbooks/cost-spike?tenant=t1&days=7");
        cut.WaitForAssertion(() => Assert.Contains("no spike in this window", cut.Find("#spike-verdict").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll("#step-consumers"));
        Assert.NotNull(cut.Find("#no-runaway"));
    }
}
