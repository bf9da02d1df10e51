using Microsoft.Extensions.Options;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Configuration;

namespace Stoa.Dashboard.Demo;

public static class DemoStartup
{
    /// <summary>In demo mode: fill an empty store, and print an operator token so the API can be tried at once.</summary>
    public static async Task StartDemoIfEnabledAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<StoaOptions>>().Value.Demo.Enabled) return;

        var demo = app.Services.GetRequiredService<DemoData>();
        if (await demo.IsStoreEmptyAsync())
        {
            Console.WriteLine("Demo mode: loading two weeks of demo data into the empty store…");
            var count = await demo.LoadAsync();
            Console.WriteLine($"Demo mode: {count:N0} events loaded into tenant_abc, tenant_globex and tenant_initech.");
        }

        var tokens = app.Services.GetRequiredService<TokenService>();
        var (token, secret) = await tokens.CreateAsync(new TokenRequest(Roles.Operator, [], [], "demo-operator", TimeSpan.FromDays(7)));
        var (_, code) = await app.Services.GetRequiredService<SignInLinks>().IssueAsync(token.Id, TimeSpan.FromHours(1));
        var baseUrl = (app.Configuration["urls"] ?? "http://localhost:5126").Split(';')[0].TrimEnd('/');
        // Printed to the console for the person who started the server; never written to a log.
        Console.WriteLine($"""

            Sign in to the dashboard (one-time link, valid 1 hour):
              {baseUrl}{SignInLinks.Path}?code={code}

            Demo operator token (valid 7 days), for the API and the sign-in page:
              export STOA_TOKEN={secret}
              curl -s -H "Authorization: Bearer $STOA_TOKEN" "{baseUrl}/v1/audit/tenant_abc?limit=5" | jq

            """);
    }
}
