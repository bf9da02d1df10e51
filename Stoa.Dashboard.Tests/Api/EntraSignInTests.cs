using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>Sign-in with Microsoft Entra ID: the real OpenID Connect and JWT bearer handlers, against a local authority.</summary>
public sealed class EntraSignInTests(EntraApp app) : IClassFixture<EntraApp>
{
    private async Task<string> TenantWithDataAsync()
    {
        var tenant = StoaApp.NewTenant();
        var ops = await app.OperatorAsync(tenant);
        await ops.IngestAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddMinutes(-5), consumer: "cons_a"));
        return tenant;
    }

    private async Task<List<SecurityEvent>> SecurityEventsAsync(string tenant)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        return await db.SecurityEvents.Where(s => s.TenantId == tenant).ToListAsync();
    }

    [Fact]
    public async Task Sign_in_redirects_to_the_authority_with_the_apps_client_id_a_nonce_and_a_state()
    {
        var browser = app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var response = await browser.GetAsync(EntraSignIn.SignInPath);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith($"{app.Authority.BaseUrl}/{LocalAuthority.TenantId}/oauth2/v2.0/authorize?", location);
        Assert.Contains($"client_id={LocalAuthority.ClientId}", location);
        Assert.Contains("nonce=", location);
        Assert.Contains("state=", location);

        var page = await app.CreateClient().GetStringAsync("/signin");
        Assert.Contains("Sign in with Microsoft", page);
    }

    [Fact]
    public async Task An_operator_signs_in_reads_the_granted_tenant_only_and_the_sign_in_is_recorded()
    {
        var tenant = await TenantWithDataAsync();
        var other = await TenantWithDataAsync();
        var user = DirectoryUser.New("olga", EntraUser.OperatorAppRole);
        await app.GrantAsync(user, tenant);

        var browser = await app.SignInAsync(user);

        var page = await browser.GetJsonAsync($"/v1/audit/{tenant}");
        Assert.Equal(1, (int)page["count"]!);
        await (await browser.GetAsync($"/v1/audit/{other}")).ProblemAsync(403);
        var events = await SecurityEventsAsync(tenant);
        Assert.Contains(events, e => e.Type == "admin_action" && e.Target == $"entra_user:{user.Email}" && e.Details!.Contains("entra_access_granted"));
        Assert.Contains(events, e => e.Type == "admin_action" && e.Actor == user.Email && e.Details!.Contains("entra_sign_in"));

        var signOut = await browser.PostAsync("/auth/signout", null);
        Assert.Contains(await SecurityEventsAsync(tenant), e => e.Details!.Contains("entra_sign_out"));
    }

    [Fact]
    public async Task A_user_with_no_role_or_no_grant_is_asked_to_ask_their_operator()
    {
        var tenant = await TenantWithDataAsync();
        var noGrant = DirectoryUser.New("nina", EntraUser.ClientAppRole);
        var noRole = DirectoryUser.New("norbert");
        await app.GrantAsync(noRole, tenant, "cons_a");

        foreach (var user in new[] { noGrant, noRole })
        {
            var browser = await app.SignInAsync(user);
            var html = await (await browser.GetAsync("/")).Content.ReadAsStringAsync();
            Assert.Contains("Ask your operator for access", html);
            Assert.Contains(user.Email, html);
            Assert.Contains(user.ObjectId, html);
            await (await browser.GetAsync($"/v1/audit/{tenant}")).ProblemAsync(403);
        }
        Assert.Contains(await SecurityEventsAsync(tenant), e => e.Type == "auth_failed" && e.Actor == noRole.Email);
    }

    [Fact]
    public async Task A_revoked_grant_ends_access_at_the_next_request()
    {
        var tenant = await TenantWithDataAsync();
        var user = DirectoryUser.New("rita", EntraUser.ClientAppRole);
        await app.GrantAsync(user, tenant, "cons_a");
        var browser = await app.SignInAsync(user);
        Assert.Equal(1, (int)(await browser.GetJsonAsync($"/v1/audit/{tenant}"))["count"]!);

        var grants = app.Services.GetRequiredService<EntraGrants>();
        var grant = Assert.Single(await grants.ForTenantAsync(EntraApp.GrantingOperator, tenant));
        Assert.True(await grants.RevokeAsync(EntraApp.GrantingOperator, grant.Id));

        await (await browser.GetAsync($"/v1/audit/{tenant}")).ProblemAsync(403);
        Assert.Contains(await SecurityEventsAsync(tenant), e => e.Details!.Contains("entra_access_revoked"));
    }

    [Fact]
    public async Task An_access_token_for_the_api_reads_and_ingests_as_the_users_role_and_grants_say()
    {
        var tenant = await TenantWithDataAsync();
        var user = DirectoryUser.New("oscar", EntraUser.OperatorAppRole);
        await app.GrantAsync(user, tenant);
        var script = app.WithAccessToken(user);

        Assert.Equal((1, 0), await script.IngestAsync(tenant, Wire.Request("via-entra", StoaApp.Epoch.AddMinutes(-1), consumer: "cons_a")));
        Assert.Equal(2, (int)(await script.GetJsonAsync($"/v1/audit/{tenant}"))["count"]!);
    }

    public static TheoryData<string> Rejections => ["wrong audience", "wrong issuer", "expired", "bad signature", "no role", "no scope or role"];

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task An_access_token_that_does_not_validate_is_401_and_recorded_as_auth_failed(string flaw)
    {
        var tenant = await TenantWithDataAsync();
        var user = DirectoryUser.New("mallory", EntraUser.OperatorAppRole);
        await app.GrantAsync(user, tenant);
        var authority = app.Authority;
        var token = flaw switch
        {
            "wrong audience" => authority.Mint(user, audience: "api://someone-elses-api"),
            "wrong issuer" => authority.Mint(user, issuer: $"{authority.BaseUrl}/00000000-0000-0000-0000-000000000000/v2.0"),
            "expired" => authority.Mint(user, expired: true),
            "bad signature" => authority.Mint(user, signWith: LocalAuthority.ForgedKey()),
            "no scope or role" => authority.Mint(user, withRoles: false, withScope: false),
            _ => authority.Mint(user, withRoles: false),
        };
        var response = await app.WithAccessToken(token).GetAsync($"/v1/audit/{tenant}");

        if (flaw == "no role")
        {
            // Valid, but Entra gives this user no Stoa role: refused, never an error.
            await response.ProblemAsync(403);
            return;
        }
        await response.ProblemAsync(401);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        // Recorded with the other failed tokens of that source and minute, once the minute is over.
        app.Clock.Now = app.Clock.Now.AddMinutes(1);
        await app.Services.GetRequiredService<Stoa.Dashboard.Auth.FailedAuthentications>().FlushAsync();
        Assert.Contains(await SecurityEventsAsync(tenant), e => e.Type == "auth_failed" && e.Target == "entra_token");
    }

    [Fact]
    public async Task An_id_token_that_does_not_validate_ends_on_the_sign_in_page_with_a_message()
    {
        var browser = app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var challenge = await browser.GetAsync(EntraSignIn.SignInPath);
        var state = System.Web.HttpUtility.ParseQueryString(challenge.Headers.Location!.Query)["state"]!;
        var forged = app.Authority.Mint(DirectoryUser.New("eve", EntraUser.OperatorAppRole), nonce: "n", signWith: LocalAuthority.ForgedKey());

        var back = await browser.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string> { ["id_token"] = forged, ["state"] = state }));

        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/signin?error=entra", back.Headers.Location!.ToString());
        Assert.DoesNotContain(back.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith(EntraSignIn.CookieName + "="));
    }
}
