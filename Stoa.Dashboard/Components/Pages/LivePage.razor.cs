using System.Threading.Channels;
using Microsoft.AspNetCore.Components;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Components.Layout;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>
/// The operator's live tail: events arrive through the in-process feed into a channel, are read in
/// batches, and the page renders at most every 150 ms however fast they come.
/// </summary>
public sealed partial class LivePage
{
    private static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(150);
    private LiveTail _tail = null!; // set before the first render, in OnParametersSetAsync
    private IDisposable? _subscription;
    private Channel<IReadOnlyList<AuditEvent>>? _channel;
    private CancellationTokenSource? _stop;
    private Task? _reader;
    private AuditScope? _scope;
    private string? _filterKey;
    private AuditEvent? _selected;
    private bool _detailOpen;

    [CascadingParameter] public DashboardContext? Context { get; set; }
    [Inject] public required LiveFeed Feed { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    /// <summary>How many events the tail keeps; an hour of tail must not grow memory.</summary>
    [Parameter] public int Capacity { get; set; } = 2000;

    [SupplyParameterFromQuery(Name = EventFilterBar.ConsumerParameter)] public string? ConsumerId { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.StatusParameter)] public string? StatusClass { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.MethodParameter)] public string? Method { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.PathParameter)] public string? PathPrefix { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.KindParameter)] public string? Kind { get; set; }

    /// <summary>The URL's filter as the hub reads it; a bad value is shown, not ignored (then nothing is followed).</summary>
    private (LiveFilter? Filter, string? Problem) Asked => LiveFilter.Read(ConsumerId, StatusClass, Method, PathPrefix, Kind);

    private LiveFilter Filter => Asked.Filter ?? new LiveFilter();

    private string FilterText => Filter is var f && f == new LiveFilter() ? "none"
        : string.Join(", ", new[] { f.ConsumerId is null ? null : $"consumer {f.ConsumerId}", f.StatusClass is null ? null : $"{f.StatusClass}xx",
            f.Method, f.PathPrefix is null ? null : $"path {f.PathPrefix}*", f.Kind?.ToString() }.Where(x => x is not null));

    protected override async Task OnParametersSetAsync()
    {
        var scope = Context?.Scope;
        var key = $"{scope}|{Filter}|{Asked.Problem}";
        _tail ??= new LiveTail(Capacity, Filter, Clock);
        if (key == _filterKey) return;
        _filterKey = key;
        await StopAsync();
        _tail = new LiveTail(Capacity, Filter, Clock);
        _scope = scope;
        if (scope is null || Asked.Problem is not null) return;

        _channel = Channel.CreateUnbounded<IReadOnlyList<AuditEvent>>(new UnboundedChannelOptions { SingleReader = true });
        _stop = new CancellationTokenSource();
        _subscription = Feed.Subscribe(scope, batch => _channel.Writer.TryWrite(batch));
        _reader = ReadAsync(_channel.Reader, _tail, _stop.Token);
    }

    private async Task ReadAsync(ChannelReader<IReadOnlyList<AuditEvent>> reader, LiveTail tail, CancellationToken ct)
    {
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                await InvokeAsync(() =>
                {
                    while (reader.TryRead(out var batch)) tail.Add(batch);
                    StateHasChanged();
                });
                await Task.Delay(RenderInterval, ct); // merge bursts: one render per interval at most
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Held: paused by the page itself while the pointer is on the list or an event is open, and resumed by it once both are gone.
    // A pause or resume the person clicks is theirs: the page does not undo it.
    private bool _held, _pointerOnList;

    private void Pause()
    {
        _held = false;
        _tail.Pause();
    }

    private void Resume()
    {
        _held = false;
        _tail.Resume();
    }

    private void PointerOnList(bool on)
    {
        _pointerOnList = on;
        HoldWhileRead();
    }

    private void HoldWhileRead()
    {
        var reading = _pointerOnList || _detailOpen;
        if (reading && !_tail.Paused)
        {
            _tail.Pause();
            _held = true;
        }
        else if (!reading && _held)
        {
            _held = false;
            _tail.Resume();
        }
    }

    private void Open(AuditEvent entry)
    {
        _selected = entry;
        _detailOpen = true;
        HoldWhileRead();
    }

    private void DetailOpenChanged(bool open)
    {
        _detailOpen = open;
        HoldWhileRead();
    }

    private async Task StopAsync()
    {
        _subscription?.Dispose();
        _subscription = null;
        _channel?.Writer.TryComplete();
        if (_stop is not null)
        {
            await _stop.CancelAsync();
            if (_reader is not null) await _reader;
            _stop.Dispose();
            _stop = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
