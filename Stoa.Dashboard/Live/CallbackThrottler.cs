namespace Stoa.Dashboard.Live;

/// <summary>
/// Merges bursts: however often <see cref="Signal"/> is called, the callback runs at most once per
/// interval, and always once after the last signal (no update is lost, only merged).
/// </summary>
public sealed class CallbackThrottler(TimeSpan interval, Func<Task> callback) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _scheduled;
    private DateTime _lastRun = DateTime.MinValue;

    public void Signal()
    {
        lock (_gate)
        {
            if (_scheduled || _stop.IsCancellationRequested) return;
            _scheduled = true;
        }
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            var wait = _lastRun + interval - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _stop.Token);
            lock (_gate) _scheduled = false;
            _lastRun = DateTime.UtcNow;
            await callback();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // disposed while waiting: the page is gone
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
