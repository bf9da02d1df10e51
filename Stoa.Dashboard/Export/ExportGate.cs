using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Export;

/// <summary>
/// Admits at most <see cref="PerTenant"/> exports of a tenant at once, across every instance that
/// shares the store: each slot is a lease in the store (<c>export:{tenant}:{n}</c>) held by one export,
/// renewed while it runs and given back when it ends. An export whose instance died frees its slot
/// when the lease runs out (at once if that process was on this machine).
/// </summary>
public sealed class ExportGate(StoreLeases leases, StoreSettings settings, ILogger<ExportGate> logger)
{
    public const int PerTenant = 2;
    public const int RetryAfterSeconds = 10;
    private static readonly TimeSpan SlotLease = TimeSpan.FromMinutes(2);

    /// <summary>A slot to dispose when the export ends, or null when the tenant's slots are taken.</summary>
    public async Task<IAsyncDisposable?> TryEnterAsync(string tenantId, CancellationToken ct = default)
    {
        var holder = $"{settings.Instance}/{Guid.NewGuid():N}";
        for (var n = 0; n < PerTenant; n++)
        {
            var name = $"export:{tenantId}:{n}";
            if (await leases.TryTakeAsync(name, SlotLease, ct, holder)) return new Slot(leases, name, holder, logger);
        }
        return null;
    }

    /// <summary>The tenant's exports running now, on every instance.</summary>
    public Task<int> RunningAsync(string tenantId, CancellationToken ct = default) => leases.HeldAsync($"export:{tenantId}:", ct);

    /// <summary>Holds its lease, renewing it at a third of its length, until disposed.</summary>
    private sealed class Slot : IAsyncDisposable
    {
        private readonly StoreLeases _leases;
        private readonly string _name, _holder;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Slot(StoreLeases leases, string name, string holder, ILogger logger)
        {
            (_leases, _name, _holder) = (leases, name, holder);
            _renewing = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(SlotLease / 3);
                try
                {
                    while (await timer.WaitForNextTickAsync(_stop.Token))
                        if (!await leases.TryTakeAsync(name, SlotLease, _stop.Token, holder)) logger.LogWarning("The export slot {Slot} was lost", name);
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested) return;
            await _stop.CancelAsync();
            await _renewing;
            await _leases.ReleaseAsync(_name, _holder);
            _stop.Dispose();
        }
    }
}
