using Microsoft.AspNetCore.Components;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>Security events with the API's filters, their counts over time, and the brute-force watch.</summary>
public sealed partial class SecurityPage
{
    private const int PageSize = 100;
    private static readonly string[] Palette = ["#ef5350", "#ffa726", "#ab47bc", "#42a5f5", "#26a69a", "#8d6e63", "#78909c", "#5c6bc0"];
    private SecurityOverview? _overview;
    private IReadOnlyList<ChartSeries> _series = [];
    private List<SecurityEvent> _events = [];
    private string? _next;
    private long _total;

    [SupplyParameterFromQuery(Name = "event_type")] public string? EventType { get; set; }
    [SupplyParameterFromQuery] public string? Actor { get; set; }
    [SupplyParameterFromQuery] public string? Target { get; set; }
    [SupplyParameterFromQuery] public string? Outcome { get; set; }

    /// <summary><c>order=asc</c> for oldest first; newest first by default.</summary>
    [SupplyParameterFromQuery] public string? Order { get; set; }

    private bool Ascending => Order == "asc";

    /// <summary><c>scale=log</c>: the chart on a log scale, types side by side.</summary>
    [SupplyParameterFromQuery] public string? Scale { get; set; }

    private bool LogScale => Scale == "log";

    private void SetLogScale(bool log) => Navigation.NavigateTo(WindowLink.WithFilter(Navigation, "scale", log ? "log" : null));

    protected override bool FollowsLive => true;

    protected override string FilterKey => $"{EventType}|{Actor}|{Target}|{Outcome}|{Ascending}";

    private SecurityFilter Filter() => new()
    {
        Window = View.Window,
        EventTypes = EventType is null ? null : [EventType],
        Actor = Actor,
        Target = Target,
        Outcome = Outcome,
    };

    protected override async Task LoadAsync(AuditDbContext db, CancellationToken ct)
    {
        var filter = Filter();
        _overview = await SecurityOverview.LoadAsync(db, Scope, filter, View.FromMs, View.ToMs, Options.Value.Dashboard.BruteForceThreshold, ct);
        _series = _overview.CountsByType.OrderBy(t => Array.IndexOf(AuditVocabulary.SecurityEventTypes, t.Key))
            .Select(t => new ChartSeries(t.Key, Palette[Array.IndexOf(AuditVocabulary.SecurityEventTypes, t.Key) % Palette.Length], t.Value))
            .ToList();
        var list = await EventLists.SecurityAsync(db, Scope, filter, PageSize, Ascending, cursor: null, ct);
        (_total, _events, _next) = (list.Total!.Value, list.Items, list.NextCursor);
    }

    private async Task LoadMoreAsync()
    {
        await using var db = await Store.CreateDbContextAsync();
        var page = await EventLists.SecurityAsync(db, Scope, Filter(), PageSize, Ascending, _next);
        _events.AddRange(page.Items);
        _next = page.NextCursor;
    }

    private void SetEventType(string? value) => Filter("event_type", value);
    private void SetActor(string? value) => Filter("actor", value);
    private void SetTarget(string? value) => Filter("target", value);
    private void SetOutcome(string? value) => Filter("outcome", value);

    private void Filter(string name, string? value) =>
        Navigation.NavigateTo(WindowLink.WithFilter(Navigation, name, value));
}
