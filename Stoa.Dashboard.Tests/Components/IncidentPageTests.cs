using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>Incident records: opened, noted, searched, the GDPR clock of a breach read from the test clock, closed; operators only.</summary>
public sealed class IncidentPageTests : StoreTestContext
{
    private static Caller Operator => Callers.Operator("t1");

    private async Task<Incident> OpenAsync(string playbook = "breach", string title = "Customer list seen on a forum")
    {
        var (incident, problem) = await Services.GetRequiredService<Incidents>().OpenAsync(Operator, "t1", playbook, title,
            new TimeWindow(StoaApp.Epoch.AddDays(-2).ToUnixTimeMilliseconds(), StoaApp.Epoch.ToUnixTimeMilliseconds()), "Unusual: cons_x read 40,000 customers");
        Assert.Null(problem);
        return incident!;
    }

    private IRenderedComponent<IncidentPage> Open(long id, string role = Roles.Operator, string[]? consumers = null)
    {
        var url = $"/incidents/{id}?tenant=t1";
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(url);
        return Render<IncidentPage>(ps => ps.AddCascadingValue(ContextFor(url, role, consumers)).Add(p => p.Id, id));
    }

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_72_hour_clock_runs_from_the_moment_the_breach_is_marked_detected()
    {
        var incident = await OpenAsync();
        var cut = Open(incident.Id);
        cut.WaitForElement("#gdpr-detected", Wait);
        await ClickAsync(cut, "#gdpr-detected");
        cut.WaitForAssertion(() => Assert.Equal("4320", cut.Find("#gdpr-clock").GetAttribute("data-left-minutes")), Wait);
        Assert.Contains("72 h 00 min left", cut.Find("#gdpr-clock").TextContent);

        Clock.Now += TimeSpan.FromHours(25) + TimeSpan.FromMinutes(30);
        var later = Open(incident.Id);
        later.WaitForAssertion(() => Assert.Contains("46 h 30 min left", later.Find("#gdpr-clock").TextContent), Wait);

        Clock.Now += TimeSpan.FromHours(48);
        var overdue = Open(incident.Id);
        overdue.WaitForAssertion(() => Assert.Contains("Overdue by 1 h 30 min", overdue.Find("#gdpr-clock").TextContent), Wait);
        Assert.Single(overdue.FindAll("#incident-timeline tr[data-kind='detected']"));
    }

    [Fact]
    public async Task Notes_go_on_the_timeline_and_closing_ends_the_incident()
    {
        var incident = await OpenAsync("corruption", "Document 12345 gone");
        var cut = Open(incident.Id);
        cut.WaitForElement("#incident-note", Wait);
        await ChangeAsync(cut, "#incident-note", "Called the client: the DELETE was their intern's script.");
        await ClickAsync(cut, "#incident-add-note");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#incident-timeline tr[data-kind='note']")), Wait);
        Assert.Empty(cut.FindAll("#gdpr")); // no GDPR clock outside the breach playbook

        await ChangeAsync(cut, "#incident-conclusion", "Not a Stoa or gateway fault.");
        await ClickAsync(cut, "#incident-close");
        cut.WaitForAssertion(() => Assert.Equal("closed", cut.Find("#incident-status").TextContent.Trim()), Wait);
        Assert.Equal(["opened", "finding", "note", "closed"], cut.FindAll("#incident-timeline tbody tr").Select(r => r.GetAttribute("data-kind")));
        Assert.Empty(cut.FindAll("#incident-note"));
    }

    [Fact]
    public async Task The_list_searches_titles_and_timelines()
    {
        await OpenAsync("corruption", "Document 12345 gone");
        await OpenAsync("cost_spike", "March invoice");
        var cut = RenderAt<IncidentsPage>("/incidents?tenant=t1&q=40,000");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#incidents tr[data-incident]").Count), Wait); // both findings say it
        var invoice = RenderAt<IncidentsPage>("/incidents?tenant=t1&q=invoice");
        invoice.WaitForAssertion(() => Assert.Single(invoice.FindAll("#incidents tr[data-incident]")), Wait);
    }

    [Fact]
    public async Task A_client_sees_no_incident()
    {
        var incident = await OpenAsync();
        RenderAt<IncidentsPage>("/incidents?tenant=t1", role: Roles.Client, consumers: ["cons_x"]).WaitForElement("#operators-only", Wait);
        Open(incident.Id, Roles.Client, ["cons_x"]).WaitForElement("#no-incident", Wait);
    }
}
