using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Forwarding;

/// <summary>
/// Delivers each destination's events at least once, in seq order, from the store: read the next
/// seqs after its cursor, send those that match, then move the cursor, in that order, so a crash
/// or a restart resends at most the batch it was sending and loses nothing. A receiver that fails
/// is retried with a growing pause (1 s doubling to <c>Stoa:Forwarding:MaxRetrySeconds</c>, 5 minutes) and marked failing after five
/// failures in a row; its events wait in the store, so a slow or absent receiver drops nothing.
/// </summary>
public sealed class Forwarder(IDbContextFactory<AuditDbContext> factory, DestinationSecrets secrets, IHttpClientFactory http, EventWriter writer,
    StoreLeases leases, TimeProvider clock, IConfiguration configuration, StoaMetrics metrics, ILogger<Forwarder> logger)
    : CommitFollower(writer, leases, logger)
{
    protected override string LeaseName => "forwarding";

    /// <summary>Seqs one batch reads at most (and so events one webhook call or syslog write carries).</summary>
    public const int BatchSize = 500;
    /// <summary>Failures in a row that make a destination "failing" on the page.</summary>
    public const int FailingAfter = 5;
    /// <summary>The longest pause between two tries (<c>Stoa:Forwarding:MaxRetrySeconds</c>, 300).</summary>
    private readonly double _maxPauseSeconds = configuration.GetValue("Stoa:Forwarding:MaxRetrySeconds", 300.0);

    private readonly ConcurrentDictionary<long, IEventSender> _senders = new();
    /// <summary>When each failed destination is tried again, on the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    private readonly ConcurrentDictionary<long, long> _retryAt = new();

    protected override async Task RoundAsync(CancellationToken ct)
    {
        List<Destination> destinations;
        await using (var db = await factory.CreateDbContextAsync(ct))
            destinations = await db.Destinations.AsNoTracking().Where(d => d.Enabled).ToListAsync(ct);
        var now = clock.GetTimestamp();
        // Each destination drains on its own, so one slow receiver does not hold back the others.
        await Task.WhenAll(destinations.Where(d => _retryAt.GetValueOrDefault(d.Id) <= now).Select(d => DrainAsync(d, ct)));
    }

    protected override async ValueTask StoppedAsync()
    {
        foreach (var sender in _senders.Values) await sender.DisposeAsync();
    }

    /// <summary>Sends batches until the destination is caught up (or has sent 20 batches: then the others get a turn) or fails.</summary>
    private async Task DrainAsync(Destination destination, CancellationToken ct)
    {
        try
        {
            for (var round = 0; round < 20 && await DeliverBatchAsync(destination, ct); round++) { }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.ForwardingFailed(destination.Id, destination.Name, e.Message);
            await FailedAsync(destination, e is DeliveryException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>One batch: true when it was full (there may be more right after it).</summary>
    public async Task<bool> DeliverBatchAsync(Destination destination, CancellationToken ct)
    {
        var rows = new List<AuditEvent>(BatchSize);
        await foreach (var e in ChainReader.ReadAsync(factory, destination.TenantId, destination.DeliveredSeq + 1, destination.DeliveredSeq + BatchSize, ct))
            rows.Add(e.Event);
        if (rows.Count == 0) return false;
        var matches = Matcher(destination);
        var matching = rows.Where(matches).ToList();
        if (matching.Count > 0)
        {
            var sender = _senders.GetOrAdd(destination.Id, _ => EventSenders.Create(destination, secrets.Read(destination.Id), http, clock));
            await sender.SendAsync(matching, ct);
            metrics.Forwarded(destination.Kind, matching.Count);
        }
        var delivered = rows[^1].Seq;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var db = await factory.CreateDbContextAsync(CancellationToken.None))
            await db.Destinations.Where(d => d.Id == destination.Id && d.DeliveredSeq < delivered).ExecuteUpdateAsync(set => set
                .SetProperty(d => d.DeliveredSeq, delivered)
                .SetProperty(d => d.DeliveredAtMs, now)
                .SetProperty(d => d.DeliveredCount, d => d.DeliveredCount + matching.Count)
                .SetProperty(d => d.Failures, 0)
                .SetProperty(d => d.FailingSinceMs, (long?)null), CancellationToken.None);
        destination.DeliveredSeq = delivered;
        _retryAt.TryRemove(destination.Id, out _);
        return rows.Count == BatchSize;
    }

    /// <summary>
    /// The destination's kinds and event types as a test of an event, their lists read once a batch,
    /// not once an event; an alert whose rule notifies the destination goes to it whatever they say.
    /// </summary>
    public static Func<AuditEvent, bool> Matcher(Destination destination)
    {
        var kinds = destination.Kinds?.Split(' ').Select(k => Enum.Parse<EventKind>(k, ignoreCase: true)).ToHashSet();
        var types = destination.EventTypes?.Split(' ').ToHashSet();
        return e => (kinds is null || kinds.Contains(e.Kind)) && (types is null || types.Contains(e.EventType)) || AlertEvents.Notifies(e, destination.Id);
    }

    private async Task FailedAsync(Destination destination, string error)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await factory.CreateDbContextAsync();
        await db.Destinations.Where(d => d.Id == destination.Id).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.Failures, d => d.Failures + 1)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.LastErrorAtMs, now)
            .SetProperty(d => d.FailingSinceMs, d => d.FailingSinceMs ?? now));
        var failures = await db.Destinations.Where(d => d.Id == destination.Id).Select(d => d.Failures).FirstOrDefaultAsync();
        var pause = Math.Min(_maxPauseSeconds, Math.Pow(2, Math.Min(failures - 1, 16)));
        _retryAt[destination.Id] = clock.GetTimestamp() + (long)(pause * clock.TimestampFrequency);
    }

    /// <summary>Forgets a destination's sender (it was changed, its secret rotated, or it was deleted) and retries it at once.</summary>
    public async Task ForgetAsync(long destinationId)
    {
        _retryAt.TryRemove(destinationId, out _);
        if (_senders.TryRemove(destinationId, out var sender)) await sender.DisposeAsync();
        Wake();
    }
}
