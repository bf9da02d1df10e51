using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Export;
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
    private bool _failed;
    private ExportDownload? _download; // the one under way
    private CancellationTokenSource? _stop; // the person's Cancel, also between attempts
    private string? _result, _waiting;
    private bool _checking;
    private ChainReport? _chain;
    private readonly CancellationTokenSource _closing = new(); // a check stops when the page goes

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required SigningKeys Keys { get; init; }
    [Inject] public required ArchiveDirectory Archive { get; init; }
    [Inject] public required RetentionSettings Retention { get; init; }
    [Inject] public required ExportDownloads Downloads { get; init; }

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

    private bool Downloading => _stop is not null;
    private long RowsSent => _download?.Progress.RowsSent ?? 0;
    private long BytesSent => _download?.Progress.BytesSent ?? 0;
    private double? ProgressPercent => _rows > 0 && _download is { Started: true } ? Math.Min(100, 100.0 * RowsSent / _rows) : null;

    private const int Attempts = 6;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The browser downloads the file itself, to disk, from the API's export endpoint; the page follows it under a ticket (rows and
    /// bytes as the server sends them), may cancel it, and tries again when the tenant's two export slots are busy (429).
    /// </summary>
    private async Task DownloadAsync(string format)
    {
        (_result, _failed, _waiting) = (null, false, null);
        using var stop = _stop = new CancellationTokenSource();
        try
        {
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                var end = await DownloadOnceAsync(format, stop.Token);
                if (end is { Status: 429, RetryAfterSeconds: { } wait } && attempt < Attempts)
                {
                    _waiting = $"{end.Message} Trying again in {wait} s (attempt {attempt + 1} of {Attempts}).";
                    StateHasChanged();
                    using (var either = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, _closing.Token))
                        await Task.Delay(TimeSpan.FromSeconds(wait), either.Token);
                    _waiting = null;
                    continue;
                }
                _failed = end.Status != 200;
                _result = end.Status switch
                {
                    200 => $"Saved {end.Message}: {end.Rows:N0} rows, {Formats.Bytes(end.Bytes)}.",
                    499 => $"Cancelled. {end.Message}",
                    _ => $"The export failed ({end.Status}): {end.Message}",
                };
                return;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            (_failed, _result) = (true, "Cancelled before the download started.");
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page went away; a download under way is the browser's now.
        }
        finally
        {
            (_waiting, _stop) = (null, null);
        }
    }

    private async Task<DownloadEnd> DownloadOnceAsync(string format, CancellationToken stop)
    {
        var download = _download = Downloads.Open(Context!.Caller.Name);
        try
        {
            await JS.InvokeVoidAsync("stoa.download", $"{DownloadUrl(format)}&download_ticket={download.Ticket}");
            using var timer = new PeriodicTimer(Poll);
            var waited = TimeSpan.Zero;
            while (download.End is null && await timer.WaitForNextTickAsync(_closing.Token))
            {
                if (stop.IsCancellationRequested) download.Cancel(); // the server stops it and says so in End
                waited += Poll;
                if (!download.Started && (waited > StartWithin || stop.IsCancellationRequested))
                    return stop.IsCancellationRequested
                        ? new DownloadEnd(499, "The download had not started.")
                        : new DownloadEnd(0, "the browser did not start the download; allow downloads from this site and try again.");
                StateHasChanged();
            }
            return download.End ?? new DownloadEnd(0, "the page closed.");
        }
        finally
        {
            _download = null;
            Downloads.Forget(download.Ticket);
        }
    }

    private void CancelDownload() => _stop?.Cancel();

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

    private void ChooseWindow(string preset) => Navigation.NavigateTo(WindowLink.ForPreset(Navigation, preset));

    private void SetLayer(string value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("layer", value));
    private void SetFormat(string value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("format", value));
    private void SetArchived(bool value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("archived", value ? "include" : null));
    private void SetConsumer(string? value) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("consumer_id", value));

    protected override void DisposePage()
    {
        _closing.Cancel();
        _closing.Dispose(); // a download under way goes on: it is the browser's now
    }
}
