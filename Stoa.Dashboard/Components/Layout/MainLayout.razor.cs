using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Layout;

/// <summary>
/// The shell: reads the view from the URL on every navigation, picks a tenant the caller may read,
/// and cascades <see cref="DashboardContext"/> to the page.
/// </summary>
public sealed partial class MainLayout : IDisposable
{
    private DashboardContext? _context;
    private bool _drawerOpen = true;
    /// <summary>On a phone: the panel of tenant, window and time zone under the app bar is open.</summary>
    private bool _controlsOpen;
    private bool _darkMode;
    private bool _interactive;
    private string? _browserZone;
    private List<string> _tenants = [];
    private Caller? _caller;
    private System.Security.Claims.ClaimsPrincipal _user = new();

    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required AuthenticationStateProvider Authentication { get; init; }
    [Inject] public required TenantAccess Access { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }
    [Inject] public required IJSRuntime JS { get; init; }

    protected override async Task OnInitializedAsync()
    {
        var user = _user = (await Authentication.GetAuthenticationStateAsync()).User;
        _caller = Caller.From(user);
        _tenants = await Access.ReadableTenantsAsync(user, CancellationToken.None);
        Navigation.LocationChanged += OnLocationChanged;
        Refresh();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true;
        try
        {
            _browserZone = await JS.InvokeAsync<string>("stoa.timeZone");
            _darkMode = await JS.InvokeAsync<bool>("stoa.theme.isDark");
        }
        catch (JSException)
        {
            _browserZone = null; // the browser's zone stays UTC, and the theme light, if the script is not there
        }
        if (_context?.View.TimeZoneParameter == DashboardView.BrowserZone) Refresh();
        StateHasChanged();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(() =>
    {
        Refresh();
        StateHasChanged();
    });

    private void Refresh()
    {
        var view = DashboardView.Parse(Navigation.Uri, Clock, _browserZone);
        // No tenant chosen yet (not a bad one: that is shown as the problem it is, never swapped for another tenant).
        if (view.Tenant is null && _tenants.Count > 0 && view.Problems.All(p => p.Parameter != "tenant"))
        {
            // No tenant chosen yet: the first one the caller may read, written into the URL so the link is complete.
            Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("tenant", _tenants[0]), replace: true);
            return;
        }
        AuditScope? scope = null;
        if (view.Tenant is not null && _caller is not null && _tenants.Contains(view.Tenant))
            scope = _caller.ReadScope(view.Tenant);
        _context = new DashboardContext(view, _caller!, scope, _tenants);
    }

    /// <summary>Switches dark mode and remembers the choice in this browser (otherwise the system's setting is followed).</summary>
    private async Task ToggleDarkModeAsync()
    {
        _darkMode = !_darkMode;
        try
        {
            await JS.InvokeVoidAsync("stoa.theme.remember", _darkMode);
        }
        catch (JSException)
        {
            // Not remembered (storage refused): this page still switches.
        }
    }

    private Task ChangeTenantAsync(string tenant)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("tenant", tenant));
        return Task.CompletedTask;
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
