using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Components.Layout;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>
/// What every dashboard page shares: the context the layout cascades, a context-per-load store
/// access, and a reload whenever the view (tenant, window, zone) or the page's own filters change.
/// </summary>
public abstract class DashboardPage : ComponentBase, IDisposable
{
    private static readonly TimeSpan LiveRefreshInterval = TimeSpan.FromMilliseconds(200);
    private string? _loadedKey;
    private string? _shownKey;
    private DashboardView? _view;
    private IDisposable? _live;
    private CallbackThrottler? _throttle;
    private AuditScope? _liveScope;
    private CancellationTokenSource? _load;
    private string? _loadingKey;
    private bool _loadAgain;

    [CascadingParameter] public DashboardContext? Context { get; set; }
    [Inject] public required IDbContextFactory<AuditDbContext> Store { get; init; }
    [Inject] public required IOptions<StoaOptions> Options { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required LiveFeed Feed { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }

    protected bool Loading { get; private set; } = true;

    /// <summary>Set when the caller may not read the chosen tenant (or there is none).</summary>
    protected bool NoAccess => Context is not null && Context.Scope is null;

    /// <summary>The view being shown: a preset window slides to end at the moment of the last load.</summary>
    protected DashboardView View => _view ?? Context!.View;

    /// <summary>Pages that follow the live feed refresh (at most every 200 ms) while their window ends now.</summary>
    protected virtual bool FollowsLive => false;
    protected AuditScope Scope => Context!.Scope!;

    /// <summary>A key of everything the page's data depends on besides the view; a change reloads.</summary>
    protected virtual string FilterKey => "";

    protected override async Task OnParametersSetAsync()
    {
        if (Context?.Scope is null)
        {
            Loading = false;
            return;
        }
        var key = $"{Context.View}|{Context.Scope.TenantId}|{FilterKey}";
        if (key == _loadedKey) return;
        if (_load is not null)
        {
            // The same view is loading already (a live refresh came meanwhile): load once more when it is done, never twice at once.
            if (key == _loadingKey)
            {
                _loadAgain = true;
                return;
            }
            // Another view, or leaving the page: the load under way stops, its queries in the store too.
            await _load.CancelAsync();
        }
        _loadedKey = _loadingKey = key;
        // A new view shows the loading bar; the same view again (a live refresh, a change made on the page) keeps what is shown,
        // so a form being filled in does not blink away under the person typing.
        Loading = key != _shownKey;
        // A new view's load fills in fields as it goes: if it is left part way, they no longer show the view that was shown.
        if (Loading) _shownKey = null;
        _view = Context.View.SlideTo(Clock.GetUtcNow().ToUnixTimeMilliseconds());
        using var load = _load = new CancellationTokenSource();
        try
        {
            using var activity = Operations.StoaMetrics.Activities.StartActivity("stoa.page.load");
            activity?.SetTag("stoa.page", GetType().Name);
            await using var db = await Store.CreateDbContextAsync(load.Token);
            await LoadAsync(db, load.Token);
            _shownKey = key;
        }
        catch (OperationCanceledException) when (load.IsCancellationRequested)
        {
            return; // whoever cancelled it loads next, or the page is gone
        }
        finally
        {
            if (_load == load) (_load, _loadingKey) = (null, null);
        }
        Loading = false;
        FollowLive();
        if (_loadAgain)
        {
            _loadAgain = false;
            _loadedKey = null;
            await OnParametersSetAsync();
        }
    }

    private void FollowLive()
    {
        var scope = FollowsLive && Context?.View.Preset is not null ? Context.Scope : null;
        if (scope == _liveScope) return;
        _live?.Dispose();
        _live = null;
        _liveScope = scope;
        if (scope is null) return;
        _throttle ??= new CallbackThrottler(LiveRefreshInterval, () => InvokeAsync(async () =>
        {
            await ReloadAsync();
            StateHasChanged();
        }));
        _live = Feed.Subscribe(scope, _ => _throttle.Signal());
    }

    /// <summary>Loads the page's data; <paramref name="ct"/> is cancelled when the page moves on or goes away.</summary>
    protected abstract Task LoadAsync(AuditDbContext db, CancellationToken ct);

    public void Dispose()
    {
        _load?.Cancel();
        _live?.Dispose();
        _throttle?.Dispose();
        DisposePage();
    }

    protected virtual void DisposePage() { }

    /// <summary>Reloads now, e.g. after a filter changed inside the page.</summary>
    protected async Task ReloadAsync()
    {
        _loadedKey = null;
        await OnParametersSetAsync();
    }
}
