using Microsoft.AspNetCore.Authorization;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Stoa.Dashboard.Auth;

namespace Stoa.Dashboard.Operations;

/// <summary>
/// OpenTelemetry: the <c>Stoa</c> meter and spans (<see cref="StoaMetrics"/>), with ASP.NET Core,
/// HttpClient and runtime instrumentation, exported over OTLP (metrics and spans) when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_*</c> settings apply), and the
/// metrics scraped by Prometheus at <c>/metrics</c>
/// when <c>Stoa:Telemetry:Prometheus</c> is true; that endpoint wants the bearer token of an operator
/// of every tenant, since its figures span tenants. With neither, nothing is collected.
/// </summary>
public static class Telemetry
{
    public const string ScrapePath = "/metrics";
    private const string AllTenantsOperator = "AllTenantsOperator";

    public static void AddStoaTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<StoaMetrics>();
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        var prometheus = configuration.GetValue<bool>("Stoa:Telemetry:Prometheus");
        if (!otlp && !prometheus) return;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("stoa-dashboard"))
            .WithMetrics(m => m.AddMeter(StoaMetrics.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation());
        // Spans only where they go somewhere: Prometheus takes metrics alone, and unexported spans would cost every request.
        if (otlp) telemetry.WithTracing(t => t.AddSource(StoaMetrics.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation()).UseOtlpExporter();
        if (prometheus) telemetry.WithMetrics(m => m.AddPrometheusExporter());
        services.AddAuthorizationBuilder().AddPolicy(AllTenantsOperator, p => p
            .AddAuthenticationSchemes(StoaExtensions.AnyBearer)
            .RequireRole(Roles.Operator)
            .RequireClaim(StoaClaims.Tenant, StoaClaims.AllTenants));
    }

    public static void MapStoaTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>("Stoa:Telemetry:Prometheus"))
            app.MapPrometheusScrapingEndpoint(ScrapePath).RequireAuthorization(AllTenantsOperator);
    }
}
