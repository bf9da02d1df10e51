using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Auth;

/// <summary>A grant entered by email follows the user who first signs in with it, by object id: not whoever holds the email later.</summary>
public sealed class EntraGrantBindingTests(EntraApp app) : IClassFixture<EntraApp>
{
    private static EntraUser User(string objectId, string? email, string directory = "tid-contoso") =>
        new(objectId, email, null, Stoa.Dashboard.Auth.Roles.Operator, directory);

    [Fact]
    public async Task A_grant_by_email_is_bound_to_the_first_user_and_survives_a_renamed_email()
    {
        var tenant = StoaApp.NewTenant();
        var grants = app.Services.GetRequiredService<EntraGrants>();
        Assert.Null(await grants.GrantAsync(EntraApp.GrantingOperator, tenant, "Carla@Contoso.example", []));

        var first = await grants.ForUserAsync(User("oid-carla", "carla@contoso.example"));
        Assert.Equal(tenant, Assert.Single(first).TenantId);

        // The email now belongs to someone else (reassigned, or a guest with the same address): no access for them.
        Assert.Empty(await grants.ForUserAsync(User("oid-someone-else", "carla@contoso.example")));
        // The same object id in another directory is someone else too.
        Assert.Empty(await grants.ForUserAsync(User("oid-carla", "carla@contoso.example", directory: "tid-fabrikam")));
        // Carla's email changes: her access stays, by her directory and object id.
        Assert.Equal(tenant, Assert.Single(await grants.ForUserAsync(User("oid-carla", "carla.new@contoso.example"))).TenantId);
        // A grant entered with an object id matches that id, whatever the email.
        Assert.Null(await grants.GrantAsync(EntraApp.GrantingOperator, tenant, "OID-DAVE", []));
        Assert.Single(await grants.ForUserAsync(User("oid-dave", null)));
    }

    [Fact]
    public async Task A_grant_bound_by_object_id_alone_is_bound_to_the_directory_too_at_the_next_sign_in()
    {
        var tenant = StoaApp.NewTenant();
        var grants = app.Services.GetRequiredService<EntraGrants>();
        Assert.Null(await grants.GrantAsync(EntraApp.GrantingOperator, tenant, "erin@contoso.example", []));
        var factory = app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Stoa.Dashboard.Storage.AuditDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var grant = db.EntraGrants.Single(g => g.TenantId == tenant);
            grant.ObjectId = "oid-erin"; // as the previous version bound it
            await db.SaveChangesAsync();
        }

        Assert.Single(await grants.ForUserAsync(User("oid-erin", "erin@contoso.example")));

        await using (var db = await factory.CreateDbContextAsync())
            Assert.Equal("tid-contoso/oid-erin", db.EntraGrants.Single(g => g.TenantId == tenant).ObjectId);
        Assert.Empty(await grants.ForUserAsync(User("oid-erin", null, directory: "tid-fabrikam")));
    }
}
