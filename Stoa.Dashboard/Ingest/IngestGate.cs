using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Configuration;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// How many ingest bodies the server holds at once: a few are read, parsed and written at a time,
/// some more wait their turn (their bodies not yet read), and beyond that a sender is told to come
/// back (503, Retry-After). Memory under any ingest load stays a few bodies' worth, and so does
/// the writer's queue, since a batch keeps its place until it is written.
/// </summary>
public sealed class IngestGate(IOptions<StoaOptions> options) : IDisposable
{
    public const int RetryAfterSeconds = 1;

    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.Ingest.MaxConcurrentBatches,
        QueueLimit = options.Value.Ingest.MaxQueuedBatches,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Turns free now: batches that may start without waiting.</summary>
    public long FreeTurns => _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>A lease to hold while the batch is read and written, or null when too many are in already.</summary>
    public async Task<RateLimitLease?> EnterAsync(CancellationToken ct)
    {
        var lease = await _limiter.AcquireAsync(1, ct);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
