using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Operations;

/// <summary>
/// Health in the ASP.NET Core health-checks style: <c>/healthz</c> is liveness (the process answers),
/// <c>/readyz</c> readiness: the store opens and takes writes, its migrations are applied, every
/// background service runs, and the store's disk has room (<c>Stoa:Health:MinFreeDiskMegabytes</c>,
/// 512). Both answer JSON with each check and its reason, for operators; nothing in it is a secret.
/// </summary>
public static class Health
{
    private const string Ready = "ready";

    public static IServiceCollection AddStoaHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StoreCheck>("store", tags: [Ready])
            .AddCheck<MigrationsCheck>("migrations", tags: [Ready])
            .AddCheck<BackgroundServicesCheck>("background_services", tags: [Ready])
            .AddCheck<DiskCheck>("disk", tags: [Ready]);
        return services;
    }

    public static void MapStoaHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
    }

    /// <summary><c>{"status": "ok|degraded|unavailable", "detail": the first problem, "checks": {name: {status, detail, duration_ms}}}</c>.</summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var problems = report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description).ToList();
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = Word(report.Status),
            detail = problems.FirstOrDefault(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = Word(e.Value.Status),
                detail = e.Value.Description,
                duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }));
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "unavailable",
    };

    /// <summary>The store opens, and the last write (if any failed) was not refused for a full disk, an I/O error or a read-only file.</summary>
    private sealed class StoreCheck(StoreHealth store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
            await store.ProblemAsync(ct) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy("The store opens and takes writes.");
    }

    private sealed class MigrationsCheck(IDbContextFactory<AuditDbContext> factory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("Every migration is applied.")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}.");
        }
    }

    /// <summary>Every background service (forwarding, alert rules, retention, checkpoints, the hub's token watch, failed sign-ins) is running.</summary>
    private sealed class BackgroundServicesCheck(IEnumerable<IHostedService> services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            var background = services.OfType<BackgroundService>().ToList();
            var stopped = background.Where(s => s.ExecuteTask is { IsCompleted: true })
                .Select(s => s.GetType().Name + (s.ExecuteTask!.Exception is { } e ? $" ({e.GetBaseException().Message})" : "")).ToList();
            var starting = background.Count(s => s.ExecuteTask is null);
            return Task.FromResult(stopped.Count > 0 ? HealthCheckResult.Unhealthy($"Stopped: {string.Join(", ", stopped)}.")
                : starting > 0 ? HealthCheckResult.Degraded($"{starting} background service(s) not started yet.")
                : HealthCheckResult.Healthy($"{background.Count} background services run."));
        }
    }

    private sealed class DiskCheck(IConfiguration configuration, IHostEnvironment environment) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            var minimum = configuration.GetValue("Stoa:Health:MinFreeDiskMegabytes", 512L);
            var free = new DriveInfo(StorageExtensions.StoreFolder(configuration, environment)).AvailableFreeSpace / (1024 * 1024);
            var text = $"{free:N0} MB free beside the store (at least {minimum:N0} MB wanted).";
            return Task.FromResult(free >= minimum ? HealthCheckResult.Healthy(text) : HealthCheckResult.Unhealthy(text));
        }
    }
}
