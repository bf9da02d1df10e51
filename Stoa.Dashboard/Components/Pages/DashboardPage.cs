using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Components.Layout;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>
/// What every dashboard page shares: the context the layout cascades, a context-per-load store
/// access, and a reload whenever the view (tenant, window, zone) or the page's own filters change.
/// </summary>
public abstract class DashboardPage : ComponentBase
{
    private string? _loadedKey;

    [CascadingParameter] public DashboardContext? Context { get; set; }
    [Inject] public required IDbContextFactory<AuditDbContext> Store { get; init; }
    [Inject] public required IOptions<StoaOptions> Options { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    protected bool Loading { get; private set; } = true;

    /// <summary>Set when the caller may not read the chosen tenant (or there is none).</summary>
    protected bool NoAccess => Context is not null && Context.Scope is null;

    protected DashboardView View => Context!.View;
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
        _loadedKey = key;
        Loading = true;
        await using var db = await Store.CreateDbContextAsync();
        await LoadAsync(db);
        Loading = false;
    }

    protected abstract Task LoadAsync(AuditDbContext db);

    /// <summary>Reloads now, e.g. after a filter changed inside the page.</summary>
    protected async Task ReloadAsync()
    {
        _loadedKey = null;
        await OnParametersSetAsync();
    }
}
