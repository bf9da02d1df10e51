using Stoa.Dashboard.Alerts;

namespace Stoa.Dashboard.Model;

/// <summary>The live tail's filters, from the URL: consumer, status class, method, path prefix, event kind.</summary>
public sealed record LiveFilter(string? ConsumerId = null, int? StatusClass = null, string? Method = null, string? PathPrefix = null,
    EventKind? Kind = null)
{
    /// <summary>
    /// A filter from the API's words (the hub's arguments, the live page's query), or what is wrong
    /// with them: one rule for both, so a bad value is refused the same way everywhere.
    /// </summary>
    public static (LiveFilter? Filter, string? Problem) Read(string? consumerId, string? statusClass, string? method, string? pathPrefix, string? kind)
    {
        EventKind? parsedKind = null;
        if (kind is not null)
        {
            if (!Enum.TryParse<EventKind>(kind, ignoreCase: true, out var k) || !Enum.IsDefined(k) || int.TryParse(kind, out _))
                return (null, $"kind '{kind}' is not one of request, security, business.");
            parsedKind = k;
        }
        int? parsedClass = null;
        if (statusClass is not null)
        {
            if (!int.TryParse(statusClass, out var c) || c is < 1 or > 5) return (null, "status_class must be 1 to 5 (2 for 2xx, 5 for 5xx).");
            parsedClass = c;
        }
        if (consumerId is not null && !Identifiers.IsValid(consumerId)) return (null, $"consumer_id: use {Identifiers.Rule}.");
        return (new LiveFilter(consumerId, parsedClass, method?.ToUpperInvariant(), pathPrefix, parsedKind), null);
    }

    /// <summary>
    /// Whether events of a kind can match: the chosen kind only, and requests only once a request-only filter is set
    /// (security and business events have no status, method or path).
    /// </summary>
    public bool Keeps(EventKind kind) =>
        (Kind is null || Kind == kind) && (kind == EventKind.Request || StatusClass is null && Method is null && PathPrefix is null);

    public bool Matches(AuditEvent e)
    {
        if (!Keeps(e.Kind)) return false;
        if (ConsumerId is { } consumer && !EventRules.Involves(e, consumer)) return false;
        var request = e as RequestEvent;
        if (StatusClass is { } cls && request?.StatusCode / 100 != cls) return false;
        if (Method is { } method && request?.Method != method) return false;
        if (PathPrefix is { } prefix && request?.Path.StartsWith(prefix, StringComparison.Ordinal) != true) return false;
        return true;
    }
}

/// <summary>
/// What the live tail shows: the newest events first in a bounded buffer, pause and resume with
/// nothing lost (arrivals while paused wait, and are counted), and the arrival rate. Plain state:
/// tests drive it without rendering.
/// </summary>
public sealed class LiveTail(int capacity, LiveFilter filter, TimeProvider clock)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);
    private readonly LinkedList<AuditEvent> _shown = new();
    private readonly List<AuditEvent> _waiting = [];
    private readonly Queue<(long AtMs, int Count)> _arrivals = new();

    public int Capacity => capacity;
    public LiveFilter Filter => filter;
    public bool Paused { get; private set; }

    /// <summary>Events that arrived while paused (all of them, even past the buffer's capacity).</summary>
    public long ArrivedWhilePaused { get; private set; }

    /// <summary>Events dropped from the bottom of the buffer to keep it bounded.</summary>
    public long Dropped { get; private set; }

    /// <summary>Newest first.</summary>
    public ICollection<AuditEvent> Shown => _shown;

    /// <summary>The alerts that fired while watching, newest first (the last few): shown whatever the filter, even while paused.</summary>
    public IReadOnlyList<AuditEvent> Alerts => _alerts;
    private readonly List<AuditEvent> _alerts = [];
    public const int AlertsKept = 5;

    public void DismissAlerts() => _alerts.Clear();

    public void Add(IEnumerable<AuditEvent> events)
    {
        foreach (var alert in events.Where(AlertEvents.IsAlert))
        {
            _alerts.Insert(0, alert);
            if (_alerts.Count > AlertsKept) _alerts.RemoveAt(AlertsKept);
        }
        var matching = events.Where(filter.Matches).ToList();
        if (matching.Count == 0) return;
        _arrivals.Enqueue((clock.GetUtcNow().ToUnixTimeMilliseconds(), matching.Count));
        if (Paused)
        {
            ArrivedWhilePaused += matching.Count;
            _waiting.AddRange(matching);
            if (_waiting.Count > capacity) _waiting.RemoveRange(0, _waiting.Count - capacity); // older than what fits would drop on resume anyway
            return;
        }
        Show(matching);
    }

    public void Pause() => Paused = true;

    public void Resume()
    {
        Paused = false;
        Show(_waiting);
        Dropped += Math.Max(0, ArrivedWhilePaused - _waiting.Count);
        _waiting.Clear();
        ArrivedWhilePaused = 0;
    }

    /// <summary>Arrivals a second over the last few seconds.</summary>
    public double RatePerSecond()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        while (_arrivals.Count > 0 && _arrivals.Peek().AtMs < now - (long)RateWindow.TotalMilliseconds) _arrivals.Dequeue();
        return _arrivals.Sum(a => a.Count) / RateWindow.TotalSeconds;
    }

    private void Show(IEnumerable<AuditEvent> events)
    {
        foreach (var entry in events.OrderBy(e => e.TimestampMs).ThenBy(e => e.Kind))
        {
            _shown.AddFirst(entry);
            if (_shown.Count > capacity)
            {
                _shown.RemoveLast();
                Dropped++;
            }
        }
    }
}
