using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The retention page, the triage line and the archived-days banner, over a store whose old days are archived.</summary>
public sealed class RetentionPageTests : StoreTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Old = StoaApp.Epoch.AddDays(-100);

    private async Task StoreHistoryAsync()
    {
        await StoreAsync("t1", Make.Request(Old), Make.Request(Old.AddMinutes(1), consumer: "cons_b"), Make.Security(Old.AddHours(1)),
            Make.Request(StoaApp.Epoch.AddHours(-1)));
    }

    [Fact]
    public async Task Operators_set_the_policy_place_and_release_a_hold_and_run_retention_from_the_page()
    {
        await StoreHistoryAsync();
        var cut = RenderAt<RetentionPage>("/retention?tenant=t1&days=7");
        cut.WaitForAssertion(() => Assert.Contains("90 days hot, then 12 months in the archive", cut.Find("#policy-text").TextContent), Wait);
        Assert.Contains(Old.ToString("yyyy-MM-dd"), cut.Find("#oldest-hot").TextContent);

        await ChangeAsync(cut, "#hold-reason", "Matter 7");
        await ClickAsync(cut, "#hold-place");
        cut.WaitForAssertion(() => Assert.Contains("Matter 7", cut.Find("#legal-holds").TextContent), Wait);
        await ClickAsync(cut, "#retention-run");
        cut.WaitForAssertion(() => Assert.Contains("Archived 0 files", cut.Find("#retention-run-result").TextContent), Wait);
        Assert.Contains("legal hold", cut.Find("#retention-run-result").TextContent);

        await ClickAsync(cut, "#hold-release");
        cut.WaitForElement("#hold-release-confirm", Wait);
        await ClickAsync(cut, "#hold-release-confirm");
        cut.WaitForAssertion(() => Assert.Contains("released", cut.Find("#legal-holds").TextContent), Wait);
        await ClickAsync(cut, "#retention-run");
        cut.WaitForAssertion(() => Assert.Contains("Archived 2 files (3 events)", cut.Find("#retention-run-result").TextContent), Wait);
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#archive-file-list tbody tr").Count), Wait);
        Assert.Contains("/manifest.json", cut.Find("#archive-file-list").InnerHtml);
    }

    [Fact]
    public async Task Clients_see_no_retention_settings_and_the_triage_page_states_the_policy_to_operators()
    {
        await StoreHistoryAsync();
        var client = RenderAt<RetentionPage>("/retention?tenant=t1", "client", ["cons_a"]);
        client.WaitForElement("#operators-only", Wait);
        Assert.Empty(client.FindAll("#retention-policy"));

        var triage = RenderAt<TriagePage>("/?tenant=t1&hours=24");
        triage.WaitForAssertion(() => Assert.Contains("90 days hot", triage.Find("#triage-retention").TextContent), Wait);
        var clientTriage = RenderAt<TriagePage>("/?tenant=t1&hours=24", "client", ["cons_a"]);
        clientTriage.WaitForElement("#triage-heading", Wait);
        Assert.Empty(clientTriage.FindAll("#triage-retention"));
    }

    [Fact]
    public async Task A_window_reaching_archived_days_shows_a_banner_linking_to_the_export_with_them()
    {
        await StoreHistoryAsync();
        await Services.GetRequiredService<RetentionService>().RunOnceAsync("t1");
        var url = $"/timeline?tenant=t1&from={Wire.Time(Old.AddDays(-1))}&to={Wire.Time(StoaApp.Epoch)}";
        var banner = Render<ArchivedBanner>(ps => ps.Add(p => p.Context, ContextFor(url)).Add(p => p.Path, "timeline"));
        banner.WaitForAssertion(() => Assert.Contains(Old.ToString("yyyy-MM-dd"), banner.Find("#archived-banner").TextContent), Wait);
        Assert.Contains("archived=include", banner.Find("#archived-export").GetAttribute("href"));

        var recent = Render<ArchivedBanner>(ps => ps.Add(p => p.Context, ContextFor("/timeline?tenant=t1&hours=24")).Add(p => p.Path, "timeline"));
        Assert.Empty(recent.FindAll("#archived-banner"));

        var export = RenderAt<ExportPage>(url.Replace("/timeline", "/export"));
        export.WaitForElement("#export-archived", Wait);
    }
}
