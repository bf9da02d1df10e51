using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>
/// Alerts on the pages: the alerts page adds rules (the recommended set, or one with its fields
/// checked) and lists what fired; triage shows the window's alerts; the live tail shows an alert
/// the moment it fires, whatever its filter. Clients see none of it.
/// </summary>
public sealed class AlertsPageTests : StoreTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Now = StoaApp.Epoch;

    /// <summary>25 failed sign-ins against key_x in the last minutes, evaluated: one brute-force alert.</summary>
    private async Task BruteForceAsync()
    {
        await StoreAsync("t1", Enumerable.Range(0, 25).Select(i => (AuditEvent)Make.Security(Now.AddMinutes(-3).AddSeconds(i))).ToArray());
        await Services.GetRequiredService<AlertEvaluator>().EvaluateAsync();
    }

    [Fact]
    public async Task An_operator_adds_the_recommended_rules_then_one_of_their_own_and_sees_what_fired()
    {
        var cut = RenderAt<AlertsPage>("/alerts?tenant=t1&hours=24");
        cut.WaitForElement("#no-rules", Wait);
        Assert.NotNull(cut.Find("#no-alerts"));
        await ClickAsync(cut, "#add-recommended");
        cut.WaitForAssertion(() => Assert.Equal(AlertRuleTypes.Names, cut.FindAll("#rule-list tbody tr").Select(r => r.GetAttribute("data-type"))), Wait);

        await ChangeAsync(cut, "#rule-threshold", "0");
        await ClickAsync(cut, "#rule-save");
        cut.WaitForAssertion(() => Assert.Contains("threshold:", cut.Find(".rule-problem").TextContent), Wait);
        await ChangeAsync(cut, "#rule-threshold", "3");
        await ChangeAsync(cut, "#rule-name", "Three strikes");
        await ClickAsync(cut, "#rule-save");
        cut.WaitForAssertion(() => Assert.Contains("Three strikes", cut.Find("#rule-list").TextContent), Wait);
        Assert.Contains("3 failed sign-ins for one target within 5 min", cut.Find("#rule-list").TextContent);

        await BruteForceAsync();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#alert-history tbody tr").Count), Wait); // the page follows live
        var threeStrikes = cut.FindAll("#alert-history tbody tr").Single(r => r.TextContent.Contains("Three strikes"));
        Assert.Contains("ongoing", threeStrikes.TextContent);
        Assert.Contains("/security?tenant=t1&from=", threeStrikes.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Triage_lists_the_windows_alerts_for_operators_and_not_for_clients()
    {
        await Services.GetRequiredService<AlertRules>().AddRecommendedAsync("tester", "t1");
        await BruteForceAsync();
        var cut = RenderAt<TriagePage>("/?tenant=t1&hours=24");
        var row = cut.WaitForElement("#triage-alert-list tbody tr", Wait);
        Assert.Equal("brute_force", row.GetAttribute("data-rule-type"));
        Assert.Equal("1 ongoing", cut.Find("#alerts-ongoing").TextContent);

        var client = RenderAt<TriagePage>("/?tenant=t1&hours=24", "client", ["1.2.3.4"]);
        client.WaitForElement("#triage-heading", Wait);
        Assert.Empty(client.FindAll("#triage-alerts"));
        var page = RenderAt<AlertsPage>("/alerts?tenant=t1", "client", ["1.2.3.4"]);
        page.WaitForElement("#operators-only", Wait);
    }

    [Fact]
    public async Task The_live_tail_shows_an_alert_as_it_fires_even_when_its_filter_hides_security_events()
    {
        await Services.GetRequiredService<AlertRules>().AddRecommendedAsync("tester", "t1");
        var cut = RenderAt<LivePage>("/live?tenant=t1&kind=request");
        cut.WaitForElement("#live-empty", Wait);
        await BruteForceAsync();
        cut.WaitForAssertion(() => Assert.Contains("20 failed sign-ins for target key_x", cut.Find("#live-alerts").TextContent), Wait);
        Assert.Equal("0", cut.Find("#live-list").GetAttribute("data-count"));
    }
}
