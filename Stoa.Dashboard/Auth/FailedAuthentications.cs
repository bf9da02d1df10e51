using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Ingest;

namespace Stoa.Dashboard.Auth;

/// <summary>
/// Bearer tokens that fail (a Stoa token unknown, revoked or expired; an Entra token that does not
/// validate), limited and recorded. A source (the client's IP) gets <c>Stoa:Limits:FailedAuthPerMinute</c>
/// failures a minute; past that its calls with a token are 429 until the minute is over, so
/// guessing is slow. Failures are recorded as <c>auth_failed</c> of the tenant the call was for
/// (when it exists, so bad calls cannot create tenants), one event per source, kind of token and
/// minute with the count in its details: an attacker cannot grow the store one row per guess.
/// </summary>
public sealed class FailedAuthentications(AdminActions actions, TenantAccess tenants, TimeProvider clock, IOptions<StoaOptions> options,
    ILogger<FailedAuthentications> logger) : BackgroundService
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Tenant, string Source, string Target, long MinuteMs), int> _counts = new();
    private readonly PartitionedRateLimiter<string> _perSource = PartitionedRateLimiter.Create<string, string>(source =>
        RateLimitPartition.GetFixedWindowLimiter(source, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.Limits.FailedAuthPerMinute,
            Window = Window,
            QueueLimit = 0,
        }));

    public static string Source(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>True when the source has used up its failures for this minute: its calls are refused before any token is checked.</summary>
    public bool IsBlocked(HttpContext http) => _perSource.GetStatistics(Source(http))?.CurrentAvailablePermits == 0;

    /// <summary>Counts a failed token of the call: against its source's limit, and towards the minute's record.</summary>
    public void Failed(HttpContext http, string target, string reason)
    {
        var source = Source(http);
        using (_perSource.AttemptAcquire(source)) { }
        logger.LogWarning("A bearer token ({Target}) failed from {Source}: {Reason}", target, source, reason);
        var segments = http.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments is not ["v1", "audit" or "quotas", var tenant, ..] || !Identifiers.IsValid(tenant)) return;
        var minute = clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000 * 60_000;
        _counts.AddOrUpdate((tenant, source, target, minute), 1, (_, n) => n + 1);
    }

    /// <summary>Writes the counts of every minute that is over (or all of them, at shutdown): one event each.</summary>
    public async Task FlushAsync(bool all = false, CancellationToken ct = default)
    {
        var currentMinute = clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000 * 60_000;
        foreach (var key in _counts.Keys.Where(k => all || k.MinuteMs < currentMinute).ToList())
        {
            if (!_counts.TryRemove(key, out var count)) continue;
            if (!await tenants.ExistsAsync(key.Tenant, ct)) continue;
            // The id names the source and minute: a flush that is repeated stores it once.
            var eventId = $"authfail_{key.Target}_{key.Source}_{key.MinuteMs}";
            await actions.RecordAsync(key.Tenant, key.Source, key.Target, new
            {
                count,
                minute = AuditTime.Print(key.MinuteMs),
                reason = "bearer token unknown, revoked, expired or not valid",
            }, succeeded: false, eventType: "auth_failed", eventId: eventId, atMs: key.MinuteMs);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                try
                {
                    await FlushAsync(ct: stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Recording failed authentications failed; trying again");
                }
        }
        catch (OperationCanceledException)
        {
        }
        await FlushAsync(all: true, CancellationToken.None);
    }

    public override void Dispose()
    {
        _perSource.Dispose();
        base.Dispose();
    }
}
