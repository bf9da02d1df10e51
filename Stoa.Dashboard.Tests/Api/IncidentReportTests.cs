using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>An incident's report for the client or the regulator: its timeline in XLSX and printable HTML, operators only, each download recorded.</summary>
public sealed class IncidentReportTests(StoaApp app) : IClassFixture<StoaApp>
{
    private async Task<(HttpClient Operator, string Tenant, long Id)> IncidentAsync(string title)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddHours(-1)));
        var caller = Callers.Operator(tenant, "alice");
        var incidents = app.Services.GetRequiredService<Incidents>();
        var (incident, _) = await incidents.OpenAsync(caller, tenant, "breach", title, new TimeWindow(0, StoaApp.Epoch.ToUnixTimeMilliseconds()),
            "cons_x downloaded 40,000 customer records in an hour");
        await incidents.MarkDetectedAsync(caller, incident!.Id);
        await incidents.AddAsync(caller, incident.Id, "note", "Revoked cons_x's key; the client is told.");
        return (client, tenant, incident.Id);
    }

    [Fact]
    public async Task The_xlsx_report_holds_the_incident_and_its_timeline()
    {
        var (client, tenant, id) = await IncidentAsync("Customer list on a forum");
        var response = await client.GetAsync($"/v1/audit/{tenant}/incidents/{id}/report.xlsx");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var book = new XLWorkbook(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));

        var facts = book.Worksheet("incident").RangeUsed()!.Rows().ToDictionary(r => r.Cell(1).GetString(), r => r.Cell(2).GetString());
        Assert.Equal("Customer list on a forum", facts["title"]);
        Assert.Equal("2026-03-14T12:00:00.000Z", facts["notify by (GDPR Art. 33)"]);
        var timeline = book.Worksheet("timeline").RangeUsed()!.Rows().Skip(1).Select(r => (r.Cell(3).GetString(), r.Cell(4).GetString())).ToList();
        Assert.Equal(["opened", "finding", "detected", "note"], timeline.Select(t => t.Item1));
        Assert.Contains("40,000 customer records", timeline[1].Item2);

        // The download itself is on the timeline, and recorded as an admin action of the tenant.
        var security = await client.GetJsonAsync($"/v1/audit/{tenant}/security?event_type=admin_action&limit=100");
        Assert.Contains(security["events"]!.AsArray(), e => e!["details"]!.ToJsonString().Contains("incident_exported"));
    }

    [Fact]
    public async Task The_printable_report_is_html_with_everything_encoded()
    {
        var (client, tenant, id) = await IncidentAsync("<script>alert(1)</script> leak");
        var html = await client.GetStringAsync($"/v1/audit/{tenant}/incidents/{id}/report.html");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; leak", html);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("Revoked cons_x&#x27;s key", html);
    }

    [Fact]
    public async Task An_export_made_for_an_incident_goes_on_its_timeline()
    {
        var (client, tenant, id) = await IncidentAsync("Evidence kept");
        var response = await client.GetAsync($"/v1/audit/{tenant}/export/json?layer=requests&incident_id={id}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));

        var caller = Callers.Operator(tenant, "alice");
        var file = await app.Services.GetRequiredService<Incidents>().GetAsync(caller, id);
        var export = Assert.Single(file!.Entries, e => e.Kind == "export");
        Assert.Contains($"1 rows", export.Text);
        Assert.Contains(sha, export.Text);

        var clientOfTenant = await app.ClientWithTokenAsync(Roles.Client, [tenant], ["cons_a"]);
        await (await clientOfTenant.GetAsync($"/v1/audit/{tenant}/export/json?layer=requests&incident_id={id}")).ProblemAsync(400);
        await (await client.GetAsync($"/v1/audit/{tenant}/export/json?layer=requests&incident_id=999999")).ProblemAsync(400);
    }

    [Fact]
    public async Task A_client_and_another_tenants_operator_get_no_report()
    {
        var (_, tenant, id) = await IncidentAsync("Private");
        var clientOfTenant = await app.ClientWithTokenAsync(Roles.Client, [tenant], ["cons_x"]);
        await (await clientOfTenant.GetAsync($"/v1/audit/{tenant}/incidents/{id}/report.html")).ProblemAsync(403);
        var other = StoaApp.NewTenant();
        var otherOperator = await app.OperatorAsync(other);
        await (await otherOperator.GetAsync($"/v1/audit/{other}/incidents/{id}/report.html")).ProblemAsync(404);
        await (await otherOperator.GetAsync($"/v1/audit/{tenant}/incidents/{id}/report.html")).ProblemAsync(403);
    }
}
