using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using MudBlazor.Services;
using Microsoft.AspNetCore.Authorization;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Demo;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard;

/// <summary>The composition root, one method a feature.</summary>
public static class StoaExtensions
{
    private const string BearerOrSession = "BearerOrSession";

    public static void AddStoa(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StoaOptions>().Bind(builder.Configuration.GetSection(StoaOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<StoaOptions>, ValidateStoaOptions>();
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();

        services.AddAuditStore(builder.Configuration, builder.Environment);
        services.AddSingleton<EventWriter>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<TenantAccess>();
        services.AddSingleton<ExportAudit>();
        services.AddSingleton<ExportGate>();
        services.AddSingleton<AdminActions>();
        services.AddSingleton<ClientAccess>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<HubSubscriptions>();
        services.AddHostedService<HubTokenWatch>();
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        // Request-start lines carry query strings, and a WebSocket carries its token there: never log them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        services.AddSingleton<DemoData>();

        // Pages sign in with a cookie; the API takes bearer tokens (its route group names that scheme).
        var authentication = services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme);
        authentication.AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        authentication.AddDashboardSignIn();
        // Reads and exports also take the dashboard's session cookie, so a signed-in person can download
        // from the browser; ingestion takes bearer tokens only.
        authentication.AddPolicyScheme(BearerOrSession, "Bearer token or dashboard session", o => o.ForwardDefaultSelector = http =>
            http.Request.Headers.Authorization.Count == 0 && http.Request.Cookies.ContainsKey(SignInEndpoints.CookieName)
                ? CookieAuthenticationDefaults.AuthenticationScheme
                : BearerTokenHandler.SchemeName);
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<SignInLinks>();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
    }

    public static void UseStoa(this WebApplication app)
    {
        // The API answers in problem+json; the pages answer with pages.
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.UseWhen(http => !IsApi(http), pages =>
        {
            if (!app.Environment.IsDevelopment()) pages.UseExceptionHandler("/Error", createScopeForErrors: true);
            pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        });
        app.UseHubTokenFromQuery();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/healthz", async (StoreHealth health, CancellationToken ct) =>
            await health.IsHealthyAsync(ct) ? Results.Ok(new { status = "ok" }) : Results.StatusCode(503));

        app.MapGroup("/v1")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = BearerTokenHandler.SchemeName })
            .DisableAntiforgery()
            .MapIngest();
        var reads = app.MapGroup("/v1").RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = BearerOrSession });
        reads.MapAuditReads();
        reads.MapExports();
        reads.MapQuotas();

        app.MapHub<AuditHub>(AuditHub.Path);
        app.MapDashboardSignIn();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/v1");
}
