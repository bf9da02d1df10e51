using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Background work that follows the store as it is written (forwarding, alert rules): a round at
/// start, then another whenever a batch commits, or a second after the last for retries. A round
/// that fails is logged and the next one tries again; the app stays up. Rounds run only while this
/// instance holds the work's lease (<see cref="StoreLeases"/>), so instances sharing a store never
/// do the work twice; another takes over within <see cref="LeaseLength"/> of the holder's end.
/// </summary>
public abstract class CommitFollower(EventWriter writer, StoreLeases leases, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan LeaseLength = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>The lease the rounds hold (<c>forwarding</c>, <c>alerts</c>).</summary>
    protected abstract string LeaseName { get; }

    /// <summary>One round: catch up with the store.</summary>
    protected abstract Task RoundAsync(CancellationToken ct);

    /// <summary>Runs the next round now rather than after the second.</summary>
    protected void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>After the last round, when the app stops.</summary>
    protected virtual ValueTask StoppedAsync() => ValueTask.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        writer.Committed += OnCommitted;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (await leases.TryTakeAsync(LeaseName, LeaseLength, stoppingToken)) await RoundAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "A round of {Work} failed; the next one starts in a second", GetType().Name);
                }
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            writer.Committed -= OnCommitted;
            await StoppedAsync();
            await leases.ReleaseAsync(LeaseName);
        }
    }

    private void OnCommitted(CommittedBatch batch) => Wake();
}
