using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

public sealed class TriagePageTests : StoreTestContext
{
    private static readonly DateTimeOffset Now = StoaApp.Epoch;

    private async Task SeedAsync()
    {
        var events = new List<AuditEvent>();
        for (var i = 0; i < 8; i++) events.Add(Make.Request(Now.AddHours(-1).AddMinutes(i), "cons_a"));
        events.Add(Make.Request(Now.AddHours(-2), "cons_a", 500));
        events.Add(Make.Request(Now.AddHours(-3), "cons_a", 503));
        events.AddRange(new[] { 401, 401, 401, 403, 200 }.Select((s, i) => Make.Request(Now.AddHours(-4).AddMinutes(i), "cons_b", s)));
        for (var i = 0; i < 20; i++) events.Add(Make.Request(Now.AddHours(-5).AddMinutes(i), "cons_c"));
        events.Add(Make.Request(Now.AddHours(-5), "cons_c", 429));
        events.Add(Make.Request(Now.AddDays(-2), "cons_d", 500)); // outside the window
        events.AddRange(Enumerable.Range(0, 3).Select(i => Make.Security(Now.AddHours(-1).AddMinutes(i))));
        events.Add(Make.Security(Now.AddHours(-1), "key_rotated", "cons_a", "key_cons_a", "success"));
        events.Add(Make.Security(Now.AddDays(-3))); // outside
        await StoreAsync("t1", events.ToArray());
    }

    [Fact]
    public async Task Shows_exact_totals_trouble_and_security_counts_for_the_window()
    {
        await SeedAsync();
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=t1&hours=24")));

        cut.WaitForAssertion(() => Assert.Equal("36", cut.Find("#stat-total [data-value]").GetAttribute("data-value")));
        Assert.Equal("5", cut.Find("#stat-4xx [data-value]").GetAttribute("data-value"));
        Assert.Equal("2", cut.Find("#stat-5xx [data-value]").GetAttribute("data-value"));
        Assert.Equal("1", cut.Find("#stat-429 [data-value]").GetAttribute("data-value"));
        Assert.Equal("19.4%", cut.Find("#stat-error-rate [data-value]").GetAttribute("data-value"));
        Assert.Equal("36", cut.Find("#triage-histogram").GetAttribute("data-total")); // the window's requests, by status class, over time

        var trouble = cut.FindAll("#trouble-table tbody tr");
        Assert.Equal(["cons_b", "cons_a"], trouble.Select(r => r.GetAttribute("data-consumer")));
        Assert.Contains("probing (mostly 401/403)", trouble[0].TextContent);
        Assert.Contains("80.0%", trouble[0].TextContent);
        Assert.Contains("server errors (mostly 5xx)", trouble[1].TextContent);

        Assert.Contains("3", cut.Find("#security-by-type tr[data-type='auth_failed']").TextContent);
        Assert.Contains("1", cut.Find("#security-by-type tr[data-type='key_rotated']").TextContent);
        Assert.Equal("cons_c", cut.FindAll("#top-consumers tbody tr")[0].GetAttribute("data-consumer"));
    }

    [Fact]
    public async Task The_threshold_is_configurable()
    {
        await SeedAsync();
        Options.Dashboard.TroubleThreshold = 0.5;
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=t1&hours=24")));
        cut.WaitForAssertion(() => Assert.Equal(["cons_b"], cut.FindAll("#trouble-table tbody tr").Select(r => r.GetAttribute("data-consumer"))));
    }

    [Fact]
    public async Task A_client_sees_totals_over_its_consumers_alone()
    {
        await SeedAsync();
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=t1&hours=24", "client", ["cons_b"])));
        cut.WaitForAssertion(() => Assert.Equal("5", cut.Find("#stat-total [data-value]").GetAttribute("data-value")));
        Assert.Equal(["cons_b"], cut.FindAll("#top-consumers tbody tr").Select(r => r.GetAttribute("data-consumer")));
        // Security events whose actor or target is not the client's are not counted either.
        Assert.Empty(cut.FindAll("#security-by-type tr"));
    }

    [Fact]
    public void An_empty_window_says_what_to_do()
    {
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=t1&hours=1")));
        cut.WaitForElement("#empty-window");
        Assert.Equal("0", cut.Find("#stat-total [data-value]").GetAttribute("data-value"));
    }

    [Fact]
    public void A_tenant_the_caller_may_not_read_shows_nothing_of_it()
    {
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=other&hours=24")));
        cut.WaitForElement("#no-access");
        Assert.Empty(cut.FindAll("#stat-total"));
    }
}

public sealed class LivePageUpdateTests : StoreTestContext
{
    [Fact]
    public async Task Triage_counts_follow_new_events_while_the_window_ends_now()
    {
        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddMinutes(-30)));
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=t1&hours=1")));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#stat-total [data-value]").GetAttribute("data-value")));

        Clock.Now = StoaApp.Epoch.AddMinutes(5); // the window slides with the clock
        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddMinutes(1), status: 500), Make.Request(StoaApp.Epoch.AddMinutes(2)));
        await StoreAsync("t2", Make.Request(StoaApp.Epoch.AddMinutes(2), tenant: "t2")); // another tenant: not counted

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("#stat-total [data-value]").GetAttribute("data-value")), TimeSpan.FromSeconds(5));
        Assert.Equal("1", cut.Find("#stat-5xx [data-value]").GetAttribute("data-value"));
    }

    [Fact]
    public async Task A_fixed_window_in_the_past_does_not_follow()
    {
        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddHours(-30)));
        var cut = Render<TriagePage>(ps => ps.AddCascadingValue(ContextFor("/?tenant=t1&from=2026-03-10T00:00:00Z&to=2026-03-10T12:00:00Z")));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#stat-total [data-value]").GetAttribute("data-value")));
        Assert.Equal(0, Services.GetRequiredService<Stoa.Dashboard.Live.LiveFeed>().SubscriberCount);
    }
}
