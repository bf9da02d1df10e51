using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Live;

/// <summary>
/// The hub's connections and what each watches. Each subscription takes the live feed with the
/// connection's own scope; a per-connection channel and pump send in order without ever holding up
/// the writer that published.
/// </summary>
public sealed class HubSubscriptions
{
    private readonly ConcurrentDictionary<string, Watcher> _watchers = new();
    private readonly LiveFeed _feed;
    private readonly IHubContext<AuditHub> _hub;
    private readonly StoaMetrics _metrics;
    private readonly ILogger<HubSubscriptions> _logger;

    public HubSubscriptions(LiveFeed feed, IHubContext<AuditHub> hub, StoaMetrics metrics, ILogger<HubSubscriptions> logger)
    {
        (_feed, _hub, _metrics, _logger) = (feed, hub, metrics, logger);
        metrics.Observe("stoa.hub.connections", "{connection}", "Open connections to the hub (/hubs/audit).", () => ConnectionCount);
    }

    public int ConnectionCount => _watchers.Count;

    /// <summary>Token ids of the open connections, with a way to close each.</summary>
    public IEnumerable<(string TokenId, HubCallerContext Connection)> Connections =>
        _watchers.Values.Select(w => (w.TokenId, w.Connection));

    public void Connect(HubCallerContext connection)
    {
        var tokenId = connection.User?.FindFirst(StoaClaims.TokenId)?.Value ?? "";
        var watcher = new Watcher(connection, tokenId, _hub, _metrics, _logger);
        _watchers[connection.ConnectionId] = watcher;
    }

    public void Subscribe(string connectionId, AuditScope scope, LiveFilter filter)
    {
        if (!_watchers.TryGetValue(connectionId, out var watcher)) return;
        watcher.Watch(scope.TenantId, _feed.Subscribe(scope, (events, committedAt) =>
        {
            var payload = EventsPayload.For(events, filter);
            if (payload.Count > 0) watcher.Enqueue(new Outgoing(payload, committedAt));
        }));
    }

    public void Unsubscribe(string connectionId, string tenantId)
    {
        if (_watchers.TryGetValue(connectionId, out var watcher)) watcher.Unwatch(tenantId);
    }

    public void Disconnect(string connectionId)
    {
        if (_watchers.TryRemove(connectionId, out var watcher)) watcher.Dispose();
    }

    /// <summary>Events for one connection, and when their batch committed.</summary>
    private sealed record Outgoing(EventsPayload Payload, long CommittedAt);

    private sealed class Watcher : IDisposable
    {
        private readonly IHubContext<AuditHub> _hub;
        private readonly StoaMetrics _metrics;
        private readonly ILogger _logger;
        private readonly ConcurrentDictionary<string, IDisposable> _subscriptions = new();
        // Bounded: a client that cannot keep up loses its oldest undelivered batches, never the server's memory.
        private readonly Channel<Outgoing> _outbox;
        private readonly Task _pump;

        public Watcher(HubCallerContext connection, string tokenId, IHubContext<AuditHub> hub, StoaMetrics metrics, ILogger logger)
        {
            Connection = connection;
            TokenId = tokenId;
            _hub = hub;
            _metrics = metrics;
            _logger = logger;
            _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                dropped => metrics.LiveDropped(dropped.Payload.Count));
            _pump = PumpAsync();
        }

        public HubCallerContext Connection { get; }
        public string TokenId { get; }

        public void Watch(string tenantId, IDisposable subscription)
        {
            if (_subscriptions.TryRemove(tenantId, out var previous)) previous.Dispose();
            _subscriptions[tenantId] = subscription;
        }

        public void Unwatch(string tenantId)
        {
            if (_subscriptions.TryRemove(tenantId, out var subscription)) subscription.Dispose();
        }

        public void Enqueue(Outgoing outgoing) => _outbox.Writer.TryWrite(outgoing);

        private async Task PumpAsync()
        {
            await foreach (var (payload, committedAt) in _outbox.Reader.ReadAllAsync())
            {
                try
                {
                    await _hub.Clients.Client(Connection.ConnectionId).SendAsync(AuditHub.EventsMessage, payload);
                    _metrics.LiveDelivered(payload.Count, System.Diagnostics.Stopwatch.GetElapsedTime(committedAt));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.HubSendFailed(e, Connection.ConnectionId);
                }
            }
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions.Values) subscription.Dispose();
            _subscriptions.Clear();
            _outbox.Writer.TryComplete();
        }
    }
}

/// <summary>
/// A batch's events for the connections watching with one filter, in the API's JSON (a script reads the same fields from the
/// hub as from the REST API), serialised once however many connections send it: the first send writes it, the others copy it.
/// Shared per published list (one per scope, <see cref="LiveFeed"/>) and filter.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(EventsPayload.Writer))]
public sealed class EventsPayload
{
    private static readonly ConditionalWeakTable<IReadOnlyList<AuditEvent>, ConcurrentDictionary<LiveFilter, EventsPayload>> Shared = new();
    private readonly List<AuditEvent> _events;
    private readonly Lazy<byte[]> _json;

    private EventsPayload(List<AuditEvent> events)
    {
        _events = events;
        _json = new Lazy<byte[]>(() =>
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartArray();
                foreach (var e in _events) EventJson.Write(w, e);
                w.WriteEndArray();
            }
            return buffer.ToArray();
        });
    }

    public int Count => _events.Count;

    public static EventsPayload For(IReadOnlyList<AuditEvent> published, LiveFilter filter) =>
        Shared.GetOrCreateValue(published).GetOrAdd(filter, f => new EventsPayload(published.Where(f.Matches).ToList()));

    private sealed class Writer : System.Text.Json.Serialization.JsonConverter<EventsPayload>
    {
        public override EventsPayload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The hub only sends events.");

        public override void Write(Utf8JsonWriter writer, EventsPayload value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value._json.Value, skipInputValidation: true);
    }
}
