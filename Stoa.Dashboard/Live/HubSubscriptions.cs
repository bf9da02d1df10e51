using System.Collections.Concurrent;
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
            var matching = events.Where(filter.Matches).ToList();
            if (matching.Count > 0) watcher.Enqueue(new Outgoing(matching, committedAt));
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
    private sealed record Outgoing(List<AuditEvent> Events, long CommittedAt);

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
                dropped => metrics.LiveDropped(dropped.Events.Count));
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
            await foreach (var (events, committedAt) in _outbox.Reader.ReadAllAsync())
            {
                try
                {
                    await _hub.Clients.Client(Connection.ConnectionId).SendAsync(AuditHub.EventsMessage, ToJson(events));
                    _metrics.LiveDelivered(events.Count, System.Diagnostics.Stopwatch.GetElapsedTime(committedAt));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.HubSendFailed(e, Connection.ConnectionId);
                }
            }
        }

        /// <summary>The events in the API's JSON, so a script reads the same fields from the hub as from the REST API.</summary>
        private static JsonElement ToJson(List<AuditEvent> events)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartArray();
                foreach (var e in events) EventJson.Write(w, e);
                w.WriteEndArray();
            }
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.Clone();
        }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions.Values) subscription.Dispose();
            _subscriptions.Clear();
            _outbox.Writer.TryComplete();
        }
    }
}
