using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Live;

/// <summary>
/// Publishes each committed batch, once, in process, to whoever watches its tenant, each
/// subscriber seeing only what its scope allows. Subscribers get the batch on the writer's thread
/// and must only hand it on (to a channel, a throttle); <see cref="Subscribe"/> returns the
/// subscription to dispose.
/// </summary>
public sealed class LiveFeed : IDisposable
{
    private readonly EventWriter _writer;
    private readonly ILogger<LiveFeed> _logger;
    private readonly Lock _gate = new();
    private Subscription[] _subscriptions = [];

    public LiveFeed(EventWriter writer, StoaMetrics metrics, ILogger<LiveFeed> logger)
    {
        _writer = writer;
        _logger = logger;
        _writer.Committed += Publish;
        metrics.Observe("stoa.live.subscribers", "{subscriber}", "Live subscriptions: dashboard pages following live and hub subscriptions.", () => SubscriberCount);
    }

    public int SubscriberCount => _subscriptions.Length;

    public IDisposable Subscribe(AuditScope scope, Action<IReadOnlyList<AuditEvent>> onEvents) => Subscribe(scope, (events, _) => onEvents(events));

    /// <param name="onEvents">Also given when the batch committed (a Stopwatch timestamp), for whoever measures delivery.</param>
    public IDisposable Subscribe(AuditScope scope, Action<IReadOnlyList<AuditEvent>, long> onEvents)
    {
        var subscription = new Subscription(this, scope, onEvents);
        lock (_gate) _subscriptions = [.. _subscriptions, subscription];
        return subscription;
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate) _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
    }

    private void Publish(CommittedBatch batch)
    {
        // Subscribers with the same scope (every operator of a tenant, say) share one filtered, ordered list.
        var byScope = new Dictionary<AuditScope, List<AuditEvent>>();
        foreach (var subscription in _subscriptions)
        {
            if (subscription.Scope.TenantId != batch.TenantId) continue;
            if (!byScope.TryGetValue(subscription.Scope, out var visible))
                byScope[subscription.Scope] = visible = Visible(batch, subscription.Scope);
            if (visible.Count == 0) continue;
            try
            {
                subscription.OnEvents(visible, batch.CommittedAt);
            }
            catch (Exception e)
            {
                // The batch is committed already: one failing watcher must not fail the ingest or starve the others.
                _logger.SubscriberFailed(e, batch.TenantId);
            }
        }
    }

    /// <summary>The batch's events the scope may see (<see cref="EventRules.Sees"/>), in arrival order, each with its id and seq.</summary>
    public static List<AuditEvent> Visible(CommittedBatch batch, AuditScope scope) => batch.Events.Where(scope.Sees).ToList();

    public void Dispose() => _writer.Committed -= Publish;

    private sealed class Subscription(LiveFeed feed, AuditScope scope, Action<IReadOnlyList<AuditEvent>, long> onEvents) : IDisposable
    {
        public AuditScope Scope => scope;
        public Action<IReadOnlyList<AuditEvent>, long> OnEvents => onEvents;
        public void Dispose() => feed.Unsubscribe(this);
    }
}
