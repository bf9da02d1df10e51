using System.Collections.Concurrent;

namespace Stoa.Dashboard.Export;

/// <summary>Admits at most <see cref="PerTenant"/> exports of a tenant at once.</summary>
public sealed class ExportGate
{
    public const int PerTenant = 2;
    public const int RetryAfterSeconds = 10;
    private readonly ConcurrentDictionary<string, int> _running = new();

    /// <summary>A slot to dispose when the export ends, or null when the tenant's slots are taken.</summary>
    public IDisposable? TryEnter(string tenantId)
    {
        while (true)
        {
            var current = _running.GetOrAdd(tenantId, 0);
            if (current >= PerTenant) return null;
            if (_running.TryUpdate(tenantId, current + 1, current)) return new Slot(this, tenantId);
        }
    }

    public int Running(string tenantId) => _running.GetValueOrDefault(tenantId);

    private void Leave(string tenantId) => _running.AddOrUpdate(tenantId, 0, (_, n) => Math.Max(0, n - 1));

    private sealed class Slot(ExportGate gate, string tenantId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) gate.Leave(tenantId);
        }
    }
}
