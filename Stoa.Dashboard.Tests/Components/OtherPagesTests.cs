using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

public sealed class ConsumerPageTests : StoreTestContext
{
    private static readonly DateTimeOffset Day = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Profile_numbers_are_exact()
    {
        // Latencies 1..100 ms: nearest-rank p50 = 50, p95 = 95. Most traffic at 14:00 UTC.
        var events = Enumerable.Range(1, 100).Select(i => (AuditEvent)Make.Request(Day.AddHours(i <= 60 ? 14 : 9).AddSeconds(i), "cons_p",
            status: i <= 90 ? 200 : 429, method: i % 4 == 0 ? "POST" : "GET", path: i % 2 == 0 ? "/api/even" : "/api/odd", latency: i)).ToList();
        events.Add(Make.Security(Day.AddHours(15), "consumer_suspended", "admin", "cons_p", "success"));
        events.Add(Make.Security(Day.AddHours(15), "key_revoked", "admin", "key_cons_p", "success"));
        events.Add(Make.Security(Day.AddHours(15), "key_revoked", "admin", "key_other", "success"));
        await StoreAsync("t1", events.ToArray());

        var cut = Render<ConsumerPage>(ps => ps.AddCascadingValue(ContextFor("/consumers/cons_p?tenant=t1&days=2&tz=Europe/Paris")).Add(p => p.ConsumerId, "cons_p"));

        cut.WaitForAssertion(() => Assert.Equal("100", cut.Find("#stat-requests [data-value]").GetAttribute("data-value")));
        Assert.Equal("10.0%", cut.Find("#stat-error-rate [data-value]").GetAttribute("data-value"));
        Assert.Equal("50 / 95 ms", cut.Find("#stat-latency [data-value]").GetAttribute("data-value"));
        Assert.Equal("15:00", cut.Find("#stat-peak-hour [data-value]").GetAttribute("data-value")); // 14:00 UTC in Paris
        Assert.Contains("90", cut.Find("#status-mix tr[data-name='200']").TextContent);
        Assert.Contains("10", cut.Find("#status-mix tr[data-name='429']").TextContent);
        Assert.Contains("25", cut.Find("#methods tr[data-name='POST']").TextContent);
        Assert.Contains("50", cut.Find("#top-paths tr[data-name='/api/even']").TextContent);
        var security = cut.FindAll("#consumer-security tbody tr");
        Assert.Single(security); // the event that names it; events naming only a key are not its own (EventRules)...
        Assert.Contains("consumer_suspended", security[0].TextContent);
        // ...but each of its keys links to the security events whose target is that key.
        Assert.Contains("target=key_cons_p", cut.Find("a.key-link").GetAttribute("href"));
    }

    [Fact]
    public async Task A_client_cannot_open_another_consumers_profile()
    {
        await StoreAsync("t1", Make.Request(Day.AddHours(10), "cons_other"));
        var cut = Render<ConsumerPage>(ps => ps.AddCascadingValue(ContextFor("/consumers/cons_other?tenant=t1&days=2", "client", ["cons_mine"])).Add(p => p.ConsumerId, "cons_other"));
        cut.WaitForElement("#unknown-consumer");
        Assert.Empty(cut.FindAll("#stat-requests"));
    }
}

public sealed class SecurityPageTests : StoreTestContext
{
    [Fact]
    public async Task Brute_force_on_one_key_raises_the_warning_and_tops_the_targets()
    {
        Options.Dashboard.BruteForceThreshold = 50;
        var now = StoaApp.Epoch;
        var events = Enumerable.Range(0, 60).Select(i => (AuditEvent)Make.Security(now.AddMinutes(-1 - i), "auth_failed", $"10.0.0.{i % 4}", "key_hot")).ToList();
        events.AddRange(Enumerable.Range(0, 5).Select(i => (AuditEvent)Make.Security(now.AddMinutes(-1 - i), "auth_failed", "10.0.0.9", "key_cold")));
        events.Add(Make.Security(now.AddMinutes(-5), "key_revoked", "admin", "key_hot", "success"));
        await StoreAsync("t1", events.ToArray());

        var cut = Render<SecurityPage>(ps => ps.AddCascadingValue(ContextFor("/security?tenant=t1&hours=24")));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".brute-force-warning")));
        Assert.Equal("key_hot", cut.Find(".brute-force-warning").GetAttribute("data-target"));
        Assert.Equal(["key_hot", "key_cold"], cut.FindAll("#top-auth-failed tbody tr").Select(r => r.GetAttribute("data-target")));
        Assert.Equal("66", cut.Find("#security-chart").GetAttribute("data-total"));
        Assert.Equal(66, cut.FindAll("#security-events tbody tr").Count);
    }

    [Fact]
    public async Task Filters_come_from_the_url_and_narrow_list_and_chart()
    {
        var now = StoaApp.Epoch;
        await StoreAsync("t1", Make.Security(now.AddMinutes(-1), "auth_failed"), Make.Security(now.AddMinutes(-2), "key_rotated", "cons_a", "key_a", "success"));
        var cut = RenderAt<SecurityPage>("/security?tenant=t1&hours=24&event_type=key_rotated");
        cut.WaitForAssertion(() => Assert.Equal(["key_rotated"], cut.FindAll("#security-events tbody tr").Select(r => r.GetAttribute("data-type"))));
        Assert.Equal("1", cut.Find("#security-chart").GetAttribute("data-total"));
    }
}

public sealed class TrendPageTests : StoreTestContext
{
    [Fact]
    public async Task Days_and_security_compare_with_the_week_before()
    {
        var today = new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero);
        await StoreAsync("t1",
            Make.Request(today.AddHours(1)), Make.Request(today.AddHours(2), status: 500), Make.Request(today.AddHours(3), status: 429),
            Make.Request(today.AddDays(-6).AddHours(1)), Make.Request(today.AddDays(-7).AddHours(1)), // the 8th day back is the week before
            Make.Security(today.AddHours(1)), Make.Security(today.AddHours(2)), Make.Security(today.AddDays(-8)));

        var cut = Render<TrendPage>(ps => ps.AddCascadingValue(ContextFor("/trend?tenant=t1")));

        cut.WaitForAssertion(() => Assert.Equal(8, cut.FindAll("#trend-days tbody tr").Count));
        var todayCells = cut.Find("#trend-days tr[data-date='2026-03-11']").QuerySelectorAll("td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["2026-03-11", "3", "2", "66.7%", "1", "1"], todayCells);
        Assert.Contains("1", cut.Find("#trend-days tr[data-date='2026-03-05']").TextContent);
        Assert.Empty(cut.FindAll("#trend-days tr[data-date='2026-03-04']"));
        Assert.Equal("4", cut.Find("#trend-days tr[data-date='total']").QuerySelectorAll("td")[1].TextContent);
        var authFailed = cut.Find("#trend-security tr[data-type='auth_failed']").QuerySelectorAll("td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["auth_failed", "2", "1", "+1"], authFailed);
    }
}

public sealed class ChangesPageTests : StoreTestContext
{
    [Fact]
    public async Task Lists_changes_with_their_diff_and_writes_filters_into_the_url()
    {
        var now = StoaApp.Epoch;
        await StoreAsync("t1", Make.Business(now.AddHours(-1), resourceId: "7", changes: """{"status":{"before":"active","after":"deleted"}}"""),
            Make.Business(now.AddHours(-2), resourceType: "order", resourceId: "8", action: "created"));
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/changes?tenant=t1&hours=24");

        var cut = Render<ChangesPage>(ps => ps.AddCascadingValue(ContextFor("/changes?tenant=t1&hours=24")));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#changes tbody tr.business-row").Count));
        await ClickAsync(cut, "#changes tr[data-resource='document/7']");
        Assert.Equal("active", cut.Find("tr[data-field='status'] .diff-before").TextContent);
        Assert.Equal("deleted", cut.Find("tr[data-field='status'] .diff-after").TextContent);

        cut.Find("#filter-resource-id").Input("7"); // applied as typed, after a short pause: no Enter needed
        cut.WaitForAssertion(() => Assert.Contains("resource_id=7", navigation.Uri));
        Assert.Contains("tenant=t1", navigation.Uri);
        Assert.Contains("hours=24", navigation.Uri);
    }
}
