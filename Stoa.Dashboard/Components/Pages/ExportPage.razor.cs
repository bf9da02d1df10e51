using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Pages;

/// <summary>
/// Self-service export for clients and operators: choose window, records and format, see how many
/// rows the file will hold, and download it from the API's own export endpoint with progress.
/// </summary>
public sealed partial class ExportPage
{
    private static readonly string[] Windows = ["24h", "7d", "30d", "90d"];
    private List<string> _consumers = [];
    private long _rows;
    private bool _downloading, _failed;
    private long _bytes, _lines;
    private string? _result;
    private bool _checking;
    private ChainReport? _chain;
    private readonly CancellationTokenSource _closing = new(); // a check stops when the page goes
    private DotNetObjectReference<ExportPage>? _self;

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required SigningKeys Keys { get; init; }
    [Inject] public required ArchiveDirectory Archive { get; init; }
    [Inject] public required RetentionSettings Retention { get; init; }

    [SupplyParameterFromQuery(Name = "layer")] public string? Layer { get; set; }
    [SupplyParameterFromQuery(Name = "format")] public string? Format { get; set; }
    [SupplyParameterFromQuery(Name = "consumer_id")] public string? ConsumerId { get; set; }
    [SupplyParameterFromQuery(Name = "archived")] public string? Archived { get; set; }

    /// <summary>The archived days this window reaches into (null: none), and whether the download includes them.</summary>
    private ArchivedDays? _archived;
    private bool IncludeArchived => Archived == "include" && _archived is not null;

    private string LayerName => Layer is "security" or "business" ? Layer : "requests";
    private string FormatName => Format is "xlsx" or "json" or "ndjson" ? Format : "csv";

    protected override string FilterKey => $"{LayerName}|{ConsumerId}|{Archived}";

    protected override async Task LoadAsync(AuditDbContext db, CancellationToken ct)
    {
        var isOperator = Context!.Caller.Role == Roles.Operator;
        var choice = await ExportChoice.LoadAsync(db, Scope, LayerName, View.Window, isOperator && LayerName == "requests" ? ConsumerId : null,
            listConsumers: isOperator, ct);
        (_rows, _consumers) = (choice.Rows, choice.Consumers.ToList());
        _archived = await ArchiveNotice.DaysAsync(db, Retention, Scope, LayerName, View.Window, Clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }

    /// <summary>The contract's export URL for what is chosen (<c>bundle</c>: with proof): the same endpoint scripts use.</summary>
    public string DownloadUrl(string format) => View.ExportLink(format, ("layer", LayerName), ("from", AuditTime.Print(View.FromMs)),
        ("to", AuditTime.Print(View.ToMs)), ("consumer_id", Context!.Caller.Role == Roles.Operator && LayerName == "requests" ? ConsumerId : null),
        ("archived", IncludeArchived && format != "bundle" ? "include" : null));

    private double? ProgressPercent => FormatName is "csv" or "ndjson" && _rows > 0
        ? Math.Min(100, 100.0 * Math.Max(0, _lines - (FormatName == "csv" ? 1 : 0)) / _rows)
        : null;

    private async Task DownloadAsync(string format)
    {
        (_downloading, _bytes, _lines, _result, _failed) = (true, 0, 0, null, false);
        _self ??= DotNetObjectReference.Create(this);
        try
        {
            var outcome = await JS.InvokeAsync<DownloadOutcome>("stoa.download", TimeSpan.FromHours(1), DownloadUrl(format), _self);
            _failed = !outcome.Ok;
            _result = outcome.Ok ? $"Saved {outcome.Name} ({Formats.Bytes(outcome.Bytes)})." : $"The export failed ({outcome.Status}): {outcome.Error}";
        }
        finally
        {
            _downloading = false;
        }
    }

    private async Task CheckChainAsync()
    {
        (_checking, _chain) = (true, null);
        try
        {
            _chain = await ChainVerifier.VerifyAsync(Store, Archive, Keys, View.Tenant!, View.Window, null, null, _closing.Token);
        }
        finally
        {
            _checking = false;
        }
    }

    [JSInvokable]
    public Task Progress(long bytes, long lines)
    {
        (_bytes, _lines) = (bytes, lines);
        return InvokeAsync(StateHasChanged);
    }

    private void ChooseWindow(string preset) => Navigation.NavigateTo(WindowLink.ForPreset(Navigation, preset));

    private void SetLayer(string value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("layer", value));
    private void SetFormat(string value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("format", value));
    private void SetArchived(bool value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("archived", value ? "include" : null));
    private void SetConsumer(string? value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("consumer_id", value));

    protected override void DisposePage()
    {
        _closing.Cancel();
        _closing.Dispose();
        _self?.Dispose();
    }

    private sealed record DownloadOutcome(bool Ok, int Status, string? Name, long Bytes, string? Error);
}
