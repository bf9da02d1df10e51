using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The possible-breach playbook: the consumers that stand out and why, who can still read their data, revocation, and the incident.</summary>
public sealed class BreachPageTests : StoreTestContext
{
    private static readonly DateTimeOffset Now = StoaApp.Epoch; // the test clock
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public BreachPageTests()
    {
        Services.AddSingleton<TokenService>();
        Services.AddSingleton<SignInLinks>();
        Services.AddSingleton<ClientAccess>();
        Services.AddSingleton<EntraGrants>();
    }

    private static Caller Operator => Callers.Operator("t1");

    private async Task SeedAsync()
    {
        var events = new List<AuditEvent>();
        for (var day = 3; day <= 16; day++)
            for (var i = 0; i < 12; i++)
            {
                events.Add(Make.Request(Now.AddDays(-day).AddHours(i * 2), "cons_shop", path: "/api/orders"));
                events.Add(Make.Request(Now.AddDays(-day).AddHours(i * 2).AddMinutes(5), "cons_partner", path: "/api/customers/1"));
            }
        for (var i = 0; i < 24; i++) events.Add(Make.Request(Now.AddHours(-40 + i), "cons_shop", path: "/api/orders"));
        // In the last 48 hours: the partner reads the customer list wholesale, and someone guesses at a key.
        for (var i = 0; i < 600; i++) events.Add(Make.Request(Now.AddHours(-20).AddSeconds(i * 3), "cons_partner", path: $"/api/customers/{i}"));
        for (var i = 0; i < 40; i++) events.Add(Make.Request(Now.AddHours(-10).AddSeconds(i), "cons_mobile", 401, path: "/api/orders"));
        foreach (var chunk in events.Chunk(2_000)) await StoreAsync("t1", chunk);
    }

    private IRenderedComponent<BreachPage> Open(string query = "") => RenderAt<BreachPage>("/playbooks/breach?tenant=t1&hours=48" + query);

    [Fact]
    public async Task The_consumers_that_stand_out_are_named_with_their_reasons()
    {
        await SeedAsync();
        var cut = Open();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#unusual tr[data-consumer]").Count), Wait);
        Assert.Contains("600 requests", cut.Find("#unusual tr[data-consumer='cons_partner'] .reasons").TextContent);
        Assert.Contains("× its usual", cut.Find("#unusual tr[data-consumer='cons_partner'] .reasons").TextContent);
        Assert.Contains("40 refused authentications (401/403): probing", cut.Find("#unusual tr[data-consumer='cons_mobile'] .reasons").TextContent);
        Assert.Empty(cut.FindAll("#unusual tr[data-consumer='cons_shop']")); // busy as usual

        // The tenant's sensitive paths are a setting of the playbook: saved, recorded, and counted at once.
        await ChangeAsync(cut, "#breach-sensitive", "/api/customers");
        await ClickAsync(cut, "#breach-sensitive-save");
        cut.WaitForAssertion(() => Assert.Contains("600 requests to sensitive paths", cut.Find("#unusual tr[data-consumer='cons_partner'] .reasons").TextContent), Wait);
        Assert.Contains("× its usual", cut.Find("#unusual tr[data-consumer='cons_partner'] .reasons").TextContent);
        Assert.Contains("cons_partner (cons_partner-name), cons_mobile (cons_mobile-name)", cut.Find("#breach-notify").TextContent);
    }

    [Fact]
    public async Task Access_that_touches_an_affected_consumer_is_listed_and_revoked_on_the_incidents_timeline()
    {
        await SeedAsync();
        var access = Services.GetRequiredService<ClientAccess>();
        await access.IssueAsync(Operator, "t1", ["cons_partner"], "Partner BI", null, TimeSpan.FromHours(1));
        await access.IssueAsync(Operator, "t1", ["cons_shop"], "Shop reports", null, TimeSpan.FromHours(1));
        var (incident, _) = await Services.GetRequiredService<Incidents>().OpenAsync(Operator, "t1", "breach", "Customer list", new TimeWindow(0, 1));

        var cut = Open($"&incident={incident!.Id}");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#breach-accesses tr[data-token]")), Wait); // the shop's access is not touched
        await ClickAsync(cut, "#breach-accesses tr[data-token] .revoke");
        cut.WaitForAssertion(() => Assert.Equal("revoked", cut.Find("#breach-accesses tr[data-token]").GetAttribute("data-status")), Wait);

        var file = await Services.GetRequiredService<Incidents>().GetAsync(Operator, incident.Id);
        Assert.Contains(file!.Entries, e => e.Kind == "revocation" && e.Text.Contains("Partner BI"));
    }

    [Fact]
    public async Task Opening_the_incident_keeps_the_findings_and_goes_to_it()
    {
        await SeedAsync();
        var cut = Open();
        cut.WaitForElement("#breach-incident", Wait);
        await ClickAsync(cut, "#breach-incident");
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        cut.WaitForAssertion(() => Assert.Contains("/incidents/", navigation.Uri), Wait);
        var id = long.Parse(new Uri(navigation.Uri).AbsolutePath.Split('/')[^1]);
        var file = await Services.GetRequiredService<Incidents>().GetAsync(Operator, id);
        Assert.Equal("breach", file!.Incident.Playbook);
        var finding = Assert.Single(file.Entries, e => e.Kind == "finding").Text;
        Assert.Contains("Affected consumers to notify:", finding);
        Assert.Contains("cons_partner", finding);
        Assert.Contains("cons_mobile", finding);
    }

    [Fact]
    public void A_client_cannot_run_it() =>
        RenderAt<BreachPage>("/playbooks/breach?tenant=t1", role: Roles.Client, consumers: ["cons_shop"]).WaitForElement("#operators-only", Wait);
}
