using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stoa.Dashboard.Operations;

/// <summary>
/// The <c>Stoa</c> meter and activity source: what an operator watches in Grafana or the Aspire
/// dashboard. Every instrument is named here, once; the code that does the work calls one method.
/// Tenants are tags for the first <c>Stoa:Telemetry:MaxTenantTags</c> (100) seen, and <c>other</c>
/// after, so a store of many tenants cannot blow up a metrics backend.
/// </summary>
public sealed class StoaMetrics
{
    public const string Name = "Stoa";
    public const string OtherTenants = "other";

    /// <summary>Spans for ingest commits, exports and page loads.</summary>
    public static readonly ActivitySource Activities = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _ingestEvents, _ingestBatches, _duplicates, _exportRows, _exportBytes, _exportRejections, _signIns;
    private readonly Counter<long> _liveDelivered, _liveDropped, _forwarded, _alertsFired;
    private readonly Histogram<int> _groupBatches;
    private readonly Histogram<double> _commitSeconds, _exportSeconds, _liveSeconds;
    private readonly ConcurrentDictionary<string, string> _tenantTags = new();
    private readonly int _maxTenantTags;

    public StoaMetrics(IMeterFactory meters, IConfiguration configuration)
    {
        _maxTenantTags = configuration.GetValue("Stoa:Telemetry:MaxTenantTags", 100);
        _meter = meters.Create(Name);
        _ingestEvents = _meter.CreateCounter<long>("stoa.ingest.events", "{event}", "Events stored, by tenant and kind (duplicates not counted).");
        _ingestBatches = _meter.CreateCounter<long>("stoa.ingest.batches", "{batch}", "Batches sent to ingest, by tenant and outcome: stored, rejected (400), refused (413, 429, 503).");
        _duplicates = _meter.CreateCounter<long>("stoa.ingest.duplicates", "{event}", "Events sent again and stored once, by tenant.");
        _groupBatches = _meter.CreateHistogram<int>("stoa.write.group_size", "{batch}", "Batches one commit wrote (group commit).");
        _commitSeconds = _meter.CreateHistogram<double>("stoa.write.commit.duration", "s", "Time to write and commit one group, fsync included.");
        _liveDelivered = _meter.CreateCounter<long>("stoa.live.events.delivered", "{event}", "Events sent to hub connections.");
        _liveSeconds = _meter.CreateHistogram<double>("stoa.live.delivery.duration", "s",
            "From a batch's commit to its send to one hub connection (the live tail's own latency; the ingest call's is stoa.write.commit.duration and HTTP).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5] });
        _liveDropped = _meter.CreateCounter<long>("stoa.live.events.dropped", "{event}", "Events a hub connection too slow to keep up did not get (its oldest undelivered batches).");
        _exportRows = _meter.CreateCounter<long>("stoa.export.rows", "{row}", "Rows exported, by format.");
        _exportBytes = _meter.CreateCounter<long>("stoa.export.bytes", "By", "Bytes exported, by format.");
        _exportSeconds = _meter.CreateHistogram<double>("stoa.export.duration", "s", "Time an export took, by format and outcome (completed, aborted).");
        _exportRejections = _meter.CreateCounter<long>("stoa.export.rejections", "{export}", "Exports refused with 429: the tenant's two export slots were taken.");
        _signIns = _meter.CreateCounter<long>("stoa.signin", "{attempt}", "Sign-ins to the dashboard, by method (token, link, entra) and outcome (success, failure).");
        _forwarded = _meter.CreateCounter<long>("stoa.forwarding.events", "{event}", "Events delivered to destinations, by destination kind.");
        _alertsFired = _meter.CreateCounter<long>("stoa.alerts.fired", "{alert}", "Alert episodes that fired, by rule type.");
    }

    /// <summary>A gauge read when the metrics are collected (live subscribers, hub connections).</summary>
    public void Observe(string name, string unit, string description, Func<int> value) =>
        _meter.CreateObservableGauge(name, value, unit, description);

    /// <summary>The tag of a tenant: its id for the first tenants seen, <see cref="OtherTenants"/> after.</summary>
    public string TenantTag(string tenantId) =>
        _tenantTags.TryGetValue(tenantId, out var tag) ? tag
        : _tenantTags.Count < _maxTenantTags ? _tenantTags.GetOrAdd(tenantId, tenantId)
        : OtherTenants;

    public void GroupCommitted(int batches, TimeSpan elapsed)
    {
        _groupBatches.Record(batches);
        _commitSeconds.Record(elapsed.TotalSeconds);
    }

    /// <summary>A batch stored: its new events by kind, and the ones it sent again.</summary>
    public void BatchStored(string tenantId, IReadOnlyList<AuditEvent> stored, int sent)
    {
        var tenant = new KeyValuePair<string, object?>("tenant", TenantTag(tenantId));
        _ingestBatches.Add(1, tenant, new("outcome", "stored"));
        foreach (var kind in stored.GroupBy(e => e.Kind))
            _ingestEvents.Add(kind.Count(), tenant, new("kind", kind.Key.ToString().ToLowerInvariant()));
        if (sent > stored.Count) _duplicates.Add(sent - stored.Count, tenant);
    }

    /// <summary>A batch not stored: <c>rejected</c> (bad events) or <c>refused</c> (too big, too many, the store unwritable).</summary>
    public void BatchNotStored(string tenantId, string outcome) =>
        _ingestBatches.Add(1, new("tenant", TenantTag(tenantId)), new("outcome", outcome));

    public void LiveDelivered(int events, TimeSpan sinceCommit)
    {
        _liveDelivered.Add(events);
        _liveSeconds.Record(sinceCommit.TotalSeconds);
    }

    public void LiveDropped(int events) => _liveDropped.Add(events);

    public void ExportEnded(string format, long rows, long bytes, TimeSpan elapsed, bool completed)
    {
        var tag = new KeyValuePair<string, object?>("format", format);
        _exportRows.Add(rows, tag);
        _exportBytes.Add(bytes, tag);
        _exportSeconds.Record(elapsed.TotalSeconds, tag, new("outcome", completed ? "completed" : "aborted"));
    }

    public void ExportRejected() => _exportRejections.Add(1);

    public void SignIn(string method, bool succeeded) => _signIns.Add(1, new("method", method), new("outcome", succeeded ? "success" : "failure"));

    public void Forwarded(string destinationKind, int events) => _forwarded.Add(events, new KeyValuePair<string, object?>("kind", destinationKind));

    public void AlertFired(string ruleType) => _alertsFired.Add(1, new KeyValuePair<string, object?>("rule_type", ruleType));
}
