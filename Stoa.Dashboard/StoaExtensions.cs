using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using MudBlazor.Services;
using Microsoft.AspNetCore.Authorization;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Components;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Demo;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Forwarding;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard;

/// <summary>The composition root, one method a feature.</summary>
public static class StoaExtensions
{
    private const string Session = "Session";
    public const string AnyBearer = "AnyBearer";
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
        // Several instances on one PostgreSQL store: each announces the others' commits to its own watchers.
        if (StorageExtensions.Provider(builder.Configuration) == StoreProvider.Postgres) services.AddHostedService<PostgresCommitListener>();
        services.AddEvidence(builder.Configuration, builder.Environment);
        services.AddRetention(builder.Configuration, builder.Environment);
        services.AddForwarding(builder.Configuration, builder.Environment);
        services.AddStoaHealth();
        services.AddApiDocument(builder.Configuration);
        services.AddStoaTelemetry(builder.Configuration);
        services.AddSingleton<AlertRules>();
        services.AddSingleton<AlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        services.AddSingleton<IngestGate>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<TenantAccess>();
        services.AddSingleton<ExportAudit>();
        services.AddSingleton<ExportGate>();
        services.AddSingleton<ExportDownloads>();
        services.AddSingleton<AdminActions>();
        services.AddSingleton<Stoa.Dashboard.Model.Incidents>();
        services.AddSingleton<ClientAccess>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<HubSubscriptions>();
        services.AddHostedService<HubTokenWatch>();
        var signalR = services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        // Several instances: the hubs join one Redis backplane, so a message for a connection another
        // instance holds reaches it. The live tail needs none of it: each instance reads commits from the
        // store (PostgresCommitListener) and sends to its own connections, which never go through Redis.
        if (builder.Configuration["Stoa:Redis"] is { Length: > 0 } redis) signalR.AddStackExchangeRedis(redis);
        // Request-start lines carry query strings, and a WebSocket carries its token there: never log them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        services.AddSingleton<DemoData>();

        // Pages sign in with a cookie session; the API takes bearer tokens (its route groups name the scheme).
        // With an AzureAd section, Entra adds a session of its own and access tokens beside Stoa's.
        var entra = EntraSignIn.IsConfigured(builder.Configuration);
        var authentication = services.AddAuthentication(Session);
        authentication.AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        authentication.AddDashboardSignIn();
        if (entra) authentication.AddEntraSignIn(builder.Configuration);
        authentication.AddPolicyScheme(Session, "Dashboard session", o => o.ForwardDefaultSelector = http =>
            entra && http.Request.Cookies.ContainsKey(EntraSignIn.CookieName) ? EntraSignIn.SessionScheme : CookieAuthenticationDefaults.AuthenticationScheme);
        authentication.AddPolicyScheme(AnyBearer, "Stoa or Entra bearer token", o => o.ForwardDefaultSelector = http =>
            entra && EntraSignIn.IsEntraToken(http.Request.Headers.Authorization.ToString()) ? EntraSignIn.BearerScheme : BearerTokenHandler.SchemeName);
        // Reads and exports also take the dashboard's session, so a signed-in person can download
        // from the browser; ingestion and the hub take bearer tokens only.
        authentication.AddPolicyScheme(BearerOrSession, "Bearer token or dashboard session", o => o.ForwardDefaultSelector = http =>
            http.Request.Headers.Authorization.Count == 0 && (http.Request.Cookies.ContainsKey(SignInEndpoints.CookieName)
                || entra && http.Request.Cookies.ContainsKey(EntraSignIn.CookieName))
                ? Session
                : AnyBearer);
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<SignInLinks>();
        services.AddSingleton<FailedAuthentications>();
        services.AddHostedService(sp => sp.GetRequiredService<FailedAuthentications>());
        services.AddStoaRateLimits();

        // X-Frame-Options: DENY comes with the other security headers (SecurityHeaders), not SAMEORIGIN from here.
        services.AddAntiforgery(o => o.SuppressXFrameOptionsHeader = true);
        services.AddRazorComponents().AddInteractiveServerComponents();
        // After the components' own registration, which it replaces: the circuit's user is checked again every 2 s.
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingSession>();
        services.AddMudServices();
    }

    public static void UseStoa(this WebApplication app)
    {
        // Behind a TLS proxy, ASPNETCORE_FORWARDEDHEADERS_ENABLED=true makes the request HTTPS here
        // too (the framework adds the forwarded-headers middleware): cookies are then Secure and HSTS is sent.
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
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
        // Routing after the status-code pages, so a re-executed request (the 404 page) is routed again.
        app.UseRouting();
        app.UseTenantLogScope();
        app.UseHubTokenFromQuery();
        app.UseSameSiteSessions();
        app.UseFailedAuthenticationLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStoaHealth();
        app.MapApiDocument();
        app.MapStoaTelemetry();

        app.MapGroup("/v1")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = AnyBearer })
            .DisableAntiforgery()
            .RequireRateLimiting(RateLimits.Ingest)
            .MapIngest();
        var reads = app.MapGroup("/v1").RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = BearerOrSession })
            .RequireRateLimiting(RateLimits.Reads);
        reads.MapAuditReads();
        reads.MapExports();
        reads.MapQuotas();
        reads.MapChainCheck();
        reads.MapReports();
        reads.MapRetentionReads();
        reads.MapDestinationReads();
        reads.MapAlertReads();
        var changes = app.MapGroup("/v1").RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = AnyBearer })
            .DisableAntiforgery()
            .RequireRateLimiting(RateLimits.Reads);
        changes.MapRetentionChanges();
        changes.MapDestinationChanges();
        changes.MapAlertChanges();
        app.MapSigningKeys();

        app.MapHub<AuditHub>(AuditHub.Path);
        app.MapDashboardSignIn();
        if (EntraSignIn.IsConfigured(app.Configuration)) app.MapEntraSignIn();
        app.MapStaticAssets();
        // frame-ancestors is in the app's own content policy ('none'), not a second header from Blazor ('self').
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/v1");
}
