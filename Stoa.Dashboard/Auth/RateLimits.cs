using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Configuration;

namespace Stoa.Dashboard.Auth;

/// <summary>
/// How much one caller may ask, with ASP.NET's rate limiter: reads and exports per token (or
/// signed-in user), ingest batches per tenant; past that a 429 with Retry-After. Failed tokens are
/// limited per client IP before anything is checked (<see cref="FailedAuthentications"/>).
/// </summary>
public static class RateLimits
{
    public const string Reads = "reads";
    public const string Ingest = "ingest";

    public static IServiceCollection AddStoaRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Reads, http => RateLimitPartition.GetTokenBucketLimiter(Caller(http),
                _ => Bucket(Limits(http).ReadsPerSecond, Limits(http).ReadBurst)));
            options.AddPolicy(Ingest, http => RateLimitPartition.GetTokenBucketLimiter(http.Request.RouteValues["tenant_id"] as string ?? "",
                _ => Bucket(Limits(http).IngestBatchesPerSecond, Limits(http).IngestBurst)));
            // The store's readers share the machine with its writer: at most two API reads a core run at
            // once and the rest wait their turn (without holding a thread), so a crowd of readers slows
            // itself, not ingestion. Exports have their own gate (ExportGate).
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => IsStoreRead(http)
                ? RateLimitPartition.GetConcurrencyLimiter("store reads", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = 2 * Environment.ProcessorCount,
                    QueueLimit = 10_000,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                await ApiProblems.RetryLater(context.HttpContext, 429, seconds, "Too many requests",
                    $"This caller has sent more than its share; wait {seconds} s (Retry-After) and go on more slowly.").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>Refuses calls with a token from a source that has used up its failed tokens for the minute.</summary>
    public static IApplicationBuilder UseFailedAuthenticationLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Headers.Authorization.Count > 0 && http.RequestServices.GetRequiredService<FailedAuthentications>().IsBlocked(http))
        {
            await ApiProblems.RetryLater(http, 429, 60, "Too many failed tokens",
                "This address sent too many unknown or invalid tokens; wait a minute (Retry-After), then send a valid one.").ExecuteAsync(http);
            return;
        }
        await next();
    });

    private static bool IsStoreRead(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) && http.Request.Path.StartsWithSegments("/v1") && !http.Request.Path.Value!.Contains("/export/");

    private static LimitOptions Limits(HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoaOptions>>().Value.Limits;

    private static string Caller(HttpContext http) =>
        http.User.FindFirstValue(StoaClaims.TokenId) ?? http.User.FindFirstValue(StoaClaims.EntraObjectId) ?? http.User.Identity?.Name
        ?? FailedAuthentications.Source(http);

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
