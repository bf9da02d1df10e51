using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

public sealed class ClientAccessTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static Caller CallerOf(string role, params string[] tenants) => Callers.Of(role, "ops@example", tenants);

    [Fact]
    public async Task Issuing_and_revoking_are_recorded_and_the_link_works_once()
    {
        var tenant = StoaApp.NewTenant();
        var reader = await app.OperatorAsync(tenant);
        var access = app.Services.GetRequiredService<ClientAccess>();
        var links = app.Services.GetRequiredService<SignInLinks>();

        var issued = await access.IssueAsync(CallerOf(Roles.Operator, tenant), tenant, ["cons_a"], "Acme", TimeSpan.FromDays(30), TimeSpan.FromHours(1));

        Assert.Equal(Roles.Client, issued.Token.Role);
        Assert.Equal("cons_a", issued.Token.Consumers);
        var row = Assert.Single(await access.ListAsync(CallerOf(Roles.Operator, tenant)), r => r.Token.Id == issued.Token.Id);
        Assert.Equal("unused", row.LinkStatus(app.Clock.Now.ToUnixTimeMilliseconds()));
        Assert.NotNull(await links.RedeemAsync(issued.LinkCode));
        Assert.Null(await links.RedeemAsync(issued.LinkCode));

        Assert.True(await access.RevokeAsync(CallerOf(Roles.Operator, tenant), issued.Token.Id));
        var events = await reader.GetJsonAsync($"/v1/audit/{tenant}/security?event_type=admin_action&order=asc");
        var actions = events["events"]!.AsArray().Select(e => (string?)e!["details"]!["action"]).ToList();
        Assert.Equal(["client_access_issued", "client_access_revoked"], actions);
        Assert.All(events["events"]!.AsArray(), e => Assert.Equal("ops@example", (string?)e!["actor"]));
        Assert.All(events["events"]!.AsArray(), e => Assert.Equal($"client_access:{issued.Token.Id}", (string?)e!["target"]));
    }

    [Fact]
    public async Task Only_an_operator_of_the_tenant_issues_lists_or_revokes()
    {
        var (tenant, other) = (StoaApp.NewTenant(), StoaApp.NewTenant());
        await app.OperatorAsync(tenant, other);
        var access = app.Services.GetRequiredService<ClientAccess>();
        var issued = await access.IssueAsync(CallerOf(Roles.Operator, tenant), tenant, ["cons_a"], "x", null, TimeSpan.FromHours(1));

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            access.IssueAsync(CallerOf(Roles.Operator, other), tenant, ["cons_a"], "y", null, TimeSpan.FromHours(1)));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            access.IssueAsync(CallerOf(Roles.Client, tenant), tenant, ["cons_a"], "z", null, TimeSpan.FromHours(1)));
        Assert.DoesNotContain(await access.ListAsync(CallerOf(Roles.Operator, other)), r => r.Token.Id == issued.Token.Id);
        Assert.False(await access.RevokeAsync(CallerOf(Roles.Operator, other), issued.Token.Id));
        Assert.False(await access.RevokeAsync(CallerOf(Roles.Client, tenant), issued.Token.Id));
    }

    [Fact]
    public async Task An_expired_link_does_not_sign_in()
    {
        var tenant = StoaApp.NewTenant();
        await app.OperatorAsync(tenant);
        var access = app.Services.GetRequiredService<ClientAccess>();
        var issued = await access.IssueAsync(CallerOf(Roles.Operator, tenant), tenant, ["cons_a"], "late", null, TimeSpan.FromMinutes(10));
        app.Clock.Now = StoaApp.Epoch.AddMinutes(11);
        try
        {
            Assert.Null(await app.Services.GetRequiredService<SignInLinks>().RedeemAsync(issued.LinkCode));
        }
        finally
        {
            app.Clock.Now = StoaApp.Epoch;
        }
    }
}
