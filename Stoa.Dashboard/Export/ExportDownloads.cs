using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Stoa.Dashboard.Export;

/// <summary>
/// The export page's downloads. The browser fetches the export as a plain download (streamed to disk, never held in the page), so
/// the page cannot see it arrive: it opens a ticket here, passes it as <c>download_ticket</c>, and the export endpoint reports under
/// the ticket what it sends (rows, bytes), refuses (a 429 with its wait) or finished, and honours a cancel. A ticket is a random
/// secret, held by the person who opened it, used once, and forgotten after an hour.
/// </summary>
public sealed class ExportDownloads(TimeProvider clock)
{
    private static readonly TimeSpan Kept = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, ExportDownload> _open = new(StringComparer.Ordinal);

    public ExportDownload Open(string owner)
    {
        var now = clock.GetUtcNow();
        foreach (var (ticket, old) in _open)
            if (now - old.OpenedAt > Kept) Forget(ticket);
        var download = new ExportDownload(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), owner, now);
        _open[download.Ticket] = download;
        return download;
    }

    /// <summary>The export endpoint's side: the ticket's download when the same person asks for it and it has not started.</summary>
    public ExportDownload? Claim(string? ticket, string owner) =>
        ticket is not null && _open.TryGetValue(ticket, out var download) && download.Owner == owner && download.TryStart() ? download : null;

    public void Forget(string ticket) => _open.TryRemove(ticket, out _);
}

/// <summary>One download as its page follows it.</summary>
public sealed class ExportDownload(string ticket, string owner, DateTimeOffset openedAt)
{
    // Never disposed: it has no timer, and the endpoint may still hold its token after the page has forgotten the ticket.
    private readonly CancellationTokenSource _cancel = new();
    private int _started;

    public string Ticket { get; } = ticket;
    public string Owner { get; } = owner;
    public DateTimeOffset OpenedAt { get; } = openedAt;
    public ExportProgress Progress { get; } = new();
    public CancellationToken Cancelled => _cancel.Token;
    public bool Started => Volatile.Read(ref _started) == 1;

    /// <summary>Set once by the endpoint: the file's name and rows, or why it stopped or was refused.</summary>
    public DownloadEnd? End { get; private set; }

    internal bool TryStart() => Interlocked.CompareExchange(ref _started, 1, 0) == 0;

    public void Finish(DownloadEnd end) => End ??= end;

    public void Cancel() => _cancel.Cancel();
}

/// <param name="Status">The HTTP status the download got (200 when complete).</param>
/// <param name="RetryAfterSeconds">For a 429: when to try again.</param>
public sealed record DownloadEnd(int Status, string Message, int? RetryAfterSeconds = null, long Rows = 0, long Bytes = 0);
