using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

public sealed class EntraGrantsPanelTests : StoreTestContext
{
    public EntraGrantsPanelTests()
    {
        Services.AddSingleton<AdminActions>();
        Services.AddSingleton<EntraGrants>();
    }

    [Fact]
    public async Task An_operator_grants_an_entra_user_consumers_of_the_tenant_then_removes_the_grant_and_both_are_recorded()
    {
        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddHours(-1), "cons_a"));
        var cut = Render<EntraGrantsPanel>(ps => ps.Add(p => p.Caller, EntraApp.GrantingOperator).Add(p => p.Tenant, "t1")
            .Add(p => p.KnownConsumers, [new Stoa.Dashboard.Model.KnownConsumer("cons_a", "Acme ERP")]));

        await ChangeAsync(cut, "input#grant-subject", "Carla@Contoso.example");
        await ClickAsync(cut, "#grant-add");

        const string carla = "#grant-list tr[data-subject='carla@contoso.example']";
        Assert.Contains("none", cut.WaitForElement(carla).TextContent); // no consumer chosen: as a client, Carla sees nothing yet
        await ClickAsync(cut, $"{carla} .revoke-grant"); // found and clicked in one turn: the list may render again meanwhile
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#grant-list tbody tr")));

        await using var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var recorded = await db.SecurityEvents.Where(s => s.TenantId == "t1" && s.Type == "admin_action").Select(s => s.Details!).ToListAsync();
        Assert.Contains(recorded, d => d.Contains("entra_access_granted"));
        Assert.Contains(recorded, d => d.Contains("entra_access_revoked"));
    }

    [Fact]
    public async Task A_subject_that_is_not_an_email_or_id_is_refused_with_a_message()
    {
        var cut = Render<EntraGrantsPanel>(ps => ps.Add(p => p.Caller, EntraApp.GrantingOperator).Add(p => p.Tenant, "t1"));
        await ChangeAsync(cut, "input#grant-subject", "two words");
        await ClickAsync(cut, "#grant-add");
        cut.WaitForElement("#grant-problem");
        Assert.Empty(cut.FindAll("#grant-list tbody tr"));
    }
}
