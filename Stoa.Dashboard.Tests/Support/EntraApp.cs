using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Auth.Entra;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>The real app configured for Microsoft Entra ID, against a <see cref="LocalAuthority"/> of its own.</summary>
public class EntraApp : StoaApp, IAsyncLifetime
{
    public LocalAuthority Authority { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The sign-in's correlation and nonce cookies expire by the browser's clock, which is the real
        // one: the handler sets them by the real clock too, not by the app's test clock.
        builder.ConfigureTestServices(services =>
            services.PostConfigure<OpenIdConnectOptions>(EntraSignIn.Scheme, options => options.TimeProvider = TimeProvider.System));
    }

    public virtual async Task InitializeAsync()
    {
        Authority = await LocalAuthority.StartForAsync(Settings);
    }

    async Task IAsyncLifetime.DisposeAsync() => await Authority.DisposeAsync();

    /// <summary>An operator of every tenant, as the tenant's operators manage grants in the dashboard.</summary>
    public static Caller GrantingOperator => Caller.From(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "ops@contoso.example"), new Claim(ClaimTypes.Role, Roles.Operator), new Claim(StoaClaims.Tenant, StoaClaims.AllTenants)], "test")));

    public async Task GrantAsync(DirectoryUser user, string tenant, params string[] consumers) =>
        Assert.Null(await Services.GetRequiredService<EntraGrants>().GrantAsync(GrantingOperator, tenant, user.Email, consumers));

    /// <summary>A browser that signed in as the user: challenge, the authority's form post of the id token, and the session cookie.</summary>
    public async Task<HttpClient> SignInAsync(DirectoryUser user, string returnUrl = "/")
    {
        var browser = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var challenge = await browser.GetAsync($"{EntraSignIn.SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.StartsWith(Authority.BaseUrl, challenge.Headers.Location!.ToString());

        Authority.NextSignIn = user;
        using var toAuthority = new HttpClient();
        var form = await toAuthority.GetStringAsync(challenge.Headers.Location);
        string Field(string name) => WebUtility.HtmlDecode(Regex.Match(form, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value);
        var action = new Uri(WebUtility.HtmlDecode(Regex.Match(form, "action=\"([^\"]*)\"").Groups[1].Value));
        var back = await browser.PostAsync(action.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id_token"] = Field("id_token"),
            ["state"] = Field("state"),
        }));
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal(returnUrl, back.Headers.Location!.ToString());
        return browser;
    }

    /// <summary>A script that calls the API with an Entra access token for the user.</summary>
    public HttpClient WithAccessToken(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public HttpClient WithAccessToken(DirectoryUser user) => WithAccessToken(Authority.Mint(user));
}
