using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Auth;

/// <summary>A grant entered by email follows the user who first signs in with it, by object id: not whoever holds the email later.</summary>
public sealed class EntraGrantBindingTests(EntraApp app) : IClassFixture<EntraApp>
{
    [Fact]
    public async Task A_grant_by_email_is_bound_to_the_first_user_and_survives_a_renamed_email()
    {
        var tenant = StoaApp.NewTenant();
        var grants = app.Services.GetRequiredService<EntraGrants>();
        Assert.Null(await grants.GrantAsync(EntraApp.GrantingOperator, tenant, "Carla@Contoso.example", []));

        var first = await grants.ForUserAsync("oid-carla", "carla@contoso.example");
        Assert.Equal(tenant, Assert.Single(first).TenantId);

        // The email now belongs to someone else (reassigned, or a guest with the same address): no access for them.
        Assert.Empty(await grants.ForUserAsync("oid-someone-else", "carla@contoso.example"));
        // Carla's email changes: her access stays, by her object id.
        Assert.Equal(tenant, Assert.Single(await grants.ForUserAsync("oid-carla", "carla.new@contoso.example")).TenantId);
        // A grant entered with an object id matches that id, whatever the email.
        Assert.Null(await grants.GrantAsync(EntraApp.GrantingOperator, tenant, "OID-DAVE", []));
        Assert.Single(await grants.ForUserAsync("oid-dave", null));
    }
}
