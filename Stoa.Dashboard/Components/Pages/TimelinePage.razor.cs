using Microsoft.AspNetCore.Components;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>"What happened between 3am and 4am": the histogram, the paths, and every event in time order.</summary>
public sealed partial class TimelinePage
{
    private const int PageSize = 200;
    private IReadOnlyList<long> _bucketStarts = [];
    private IReadOnlyList<ChartSeries> _series = [];
    private List<PathBreakdown> _paths = [];
    private List<AuditEvent> _stream = [];
    private bool _hasMore;
    private AuditEvent? _selected;
    private bool _detailOpen;

    [SupplyParameterFromQuery(Name = "consumer_id")] public string? ConsumerId { get; set; }

    /// <summary><c>q</c>: text the events must hold (a path, a consumer, a request or resource id, an error), any case.</summary>
    [SupplyParameterFromQuery(Name = "q")] public string? Text { get; set; }

    [SupplyParameterFromQuery(Name = EventFilterBar.StatusParameter)] public string? StatusClass { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.MethodParameter)] public string? Method { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.PathParameter)] public string? PathPrefix { get; set; }
    [SupplyParameterFromQuery(Name = EventFilterBar.KindParameter)] public string? Kind { get; set; }

    /// <summary>The bar's filters as the live tail and the hub read them; a bad value is shown, and nothing is filtered by it.</summary>
    private (LiveFilter? Filter, string? Problem) Asked => LiveFilter.Read(ConsumerId, StatusClass, Method, PathPrefix, Kind);

    private TimelineFilter Filter => new(Asked.Filter ?? new LiveFilter(ConsumerId), string.IsNullOrWhiteSpace(Text) ? null : Text.Trim());

    /// <summary>
    /// <c>order=asc|desc</c>. Without it: newest first for a window that ends now (a preset: what just
    /// happened is on top), oldest first for a fixed window (an incident reads as a story).
    /// </summary>
    [SupplyParameterFromQuery] public string? Order { get; set; }

    private bool Ascending => Order switch
    {
        "asc" => true,
        "desc" => false,
        _ => View.Preset is null,
    };

    protected override bool FollowsLive => true;

    protected override string FilterKey => $"{Filter}|{Ascending}";

    protected override async Task LoadAsync(AuditDbContext db, CancellationToken ct)
    {
        var (_, buckets) = await Timeline.HistogramAsync(db, Scope, View.FromMs, View.ToMs, Filter, ct);
        (_bucketStarts, _series) = StatusSeries(buckets);
        _paths = await Timeline.PathsAsync(db, Scope, View.Window, Filter, ct: ct);
        _stream = await Timeline.StreamAsync(db, Scope, View.Window, after: null, PageSize + 1, Filter, Ascending, ct);
        _hasMore = _stream.Count > PageSize;
        if (_hasMore) _stream.RemoveAt(_stream.Count - 1);
    }

    /// <summary>The histogram's stacks: 2xx, 3xx, 4xx, 5xx, in colours that read as health.</summary>
    public static (IReadOnlyList<long>, IReadOnlyList<ChartSeries>) StatusSeries(List<HistogramBucket> buckets) =>
        (buckets.Select(b => b.StartMs).ToList(),
        [
            new ChartSeries("2xx", "#66bb6a", buckets.Select(b => b.Status2xx).ToList()),
            new ChartSeries("3xx", "#42a5f5", buckets.Select(b => b.Status3xx).ToList()),
            new ChartSeries("4xx", "#ffa726", buckets.Select(b => b.Status4xx).ToList()),
            new ChartSeries("5xx", "#ef5350", buckets.Select(b => b.Status5xx).ToList()),
        ]);

    private async Task LoadMoreAsync()
    {
        await using var db = await Store.CreateDbContextAsync();
        var more = await Timeline.StreamAsync(db, Scope, View.Window, _stream[^1], PageSize + 1, Filter, Ascending);
        _hasMore = more.Count > PageSize;
        _stream.AddRange(more.Take(PageSize));
    }

    private void Open(AuditEvent entry)
    {
        _selected = entry;
        _detailOpen = true;
    }

    private void Zoom((long FromMs, long ToMs) range) => Navigation.NavigateTo(WindowLink.For(Navigation, range.FromMs, range.ToMs));

    private void ClearConsumer() => Navigation.NavigateTo(WindowLink.WithFilter(Navigation, "consumer_id", null));

    /// <summary>The search applies as it is typed (after a pause): the URL takes it, so the narrowed view is a link too.</summary>
    private void Search(string? text) => Navigation.NavigateTo(WindowLink.WithFilter(Navigation, "q", text));
}
