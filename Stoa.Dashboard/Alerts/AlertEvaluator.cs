using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Alerts;

/// <summary>
/// Evaluates each tenant's alert rules over every stored event, in seq order, from a durable cursor
/// (not over the live feed, which may drop under pressure): each rule counts its events per key in a
/// sliding window (<see cref="AlertWindow"/>), fires once when the window makes it hold, and grows
/// that episode while it keeps holding; a new episode needs a whole quiet window first.
/// </summary>
/// <remarks>
/// Firing writes an <c>alert_fired</c> security event (its id made of the rule and the trigger seq,
/// so a repeat after a crash is stored once), which the live tail, the hub and the forwarder carry
/// like any other event; then one transaction records the episode and moves the cursor. A restart
/// re-reads the window's worth of events before the cursor to refill the windows, without firing.
/// </remarks>
public sealed class AlertEvaluator(IDbContextFactory<AuditDbContext> factory, EventWriter writer, StoreLeases leases, AdminActions actions,
    StoaMetrics metrics, ILogger<AlertEvaluator> logger) : CommitFollower(writer, leases, logger)
{
    protected override string LeaseName => "alerts";

    /// <summary>Seqs read at a time.</summary>
    public const int BatchSize = 2_000;
    /// <summary>Keys a rule counts at once (targets, consumers, calls); beyond, the quietest are forgotten, and that is logged.</summary>
    public const int MaxKeysPerRule = 100_000;
    public const string Actor = "stoa-alerts";

    private readonly SemaphoreSlim _running = new(1);
    private readonly Dictionary<string, TenantState> _tenants = new();

    protected override Task RoundAsync(CancellationToken ct) => EvaluateAsync(ct);

    /// <summary>Reads every tenant with rules up to its last event (tests call it to evaluate at once).</summary>
    public async Task EvaluateAsync(CancellationToken ct = default)
    {
        await _running.WaitAsync(ct);
        try
        {
            Dictionary<string, List<AlertRule>> rules;
            await using (var db = await factory.CreateDbContextAsync(ct))
                rules = (await db.AlertRules.AsNoTracking().ToListAsync(ct)).GroupBy(r => r.TenantId).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var gone in _tenants.Keys.Except(rules.Keys).ToList()) _tenants.Remove(gone);
            // Ten batches a tenant in turn, so one busy tenant does not hold back the others' alerts.
            var behind = rules.Keys.ToList();
            while (behind.Count > 0)
                foreach (var tenantId in behind.ToList())
                {
                    try
                    {
                        var state = _tenants.GetValueOrDefault(tenantId) ?? await LoadAsync(tenantId, rules[tenantId], ct);
                        _tenants[tenantId] = state;
                        state.Follow(rules[tenantId]);
                        var more = true;
                        for (var batch = 0; batch < 10 && more; batch++) more = await EvaluateBatchAsync(state, ct);
                        if (!more) behind.Remove(tenantId);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _tenants.Remove(tenantId); // the next round reloads it from the store, where its cursor is
                        behind.Remove(tenantId);
                        logger.AlertRulesFailed(e, tenantId);
                    }
                }
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>The tenant's cursor and open episodes from the store, and its windows refilled from the events before the cursor.</summary>
    private async Task<TenantState> LoadAsync(string tenantId, List<AlertRule> rules, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var cursor = await db.AlertCursors.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId, ct)
            ?? await AlertRules.StartCursorAsync(db, tenantId, ct);
        var state = new TenantState(cursor);
        state.Follow(rules);
        var open = await db.Alerts.AsNoTracking().Where(a => a.TenantId == tenantId && a.LastSeq > cursor.WarmFromSeq).ToListAsync(ct);
        foreach (var alert in open)
            if (state.Rules.TryGetValue(alert.RuleId, out var rule)) rule.Open[alert.Key] = alert;
        // The last batch's episodes may have been stored without their events (killed in between): recording is idempotent.
        var lastBatch = await db.Alerts.AsNoTracking().Where(a => a.TenantId == tenantId && a.TriggerSeq > cursor.EvaluatedSeq - BatchSize).ToListAsync(ct);
        foreach (var alert in lastBatch)
            if (state.Rules.TryGetValue(alert.RuleId, out var rule)) await RecordAsync(alert, rule.Rule);
        await foreach (var e in ChainReader.ReadAsync(factory, tenantId, cursor.WarmFromSeq + 1, cursor.EvaluatedSeq, ct))
            foreach (var rule in state.Rules.Values) rule.Count(e.Event, live: false, null);
        return state;
    }

    /// <summary>One batch of seqs after the cursor: counted, fired, recorded. True when there may be more.</summary>
    private async Task<bool> EvaluateBatchAsync(TenantState state, CancellationToken ct)
    {
        var events = new List<AuditEvent>(BatchSize);
        await foreach (var e in ChainReader.ReadAsync(factory, state.TenantId, state.Seq + 1, state.Seq + BatchSize, ct)) events.Add(e.Event);
        if (events.Count == 0) return false;

        var episodes = new HashSet<Alert>();
        foreach (var e in events)
        {
            if (e is SecurityEvent { Type: AuditVocabulary.AlertEventType }) continue;
            foreach (var rule in state.Rules.Values) rule.Count(e, live: true, episodes);
        }
        var newestMs = events.Max(e => e.TimestampMs);
        foreach (var rule in state.Rules.Values)
            if (rule.Forget(newestMs) is > 0 and var forgotten)
                logger.AlertKeysForgotten(rule.Rule.Id, state.TenantId, MaxKeysPerRule, forgotten);

        var fired = episodes.Where(a => a.Id == 0).ToList();
        var lastSeq = events[^1].Seq;
        var warmFrom = state.Advance(lastSeq);
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        db.Alerts.AddRange(fired);
        foreach (var alert in episodes.Where(a => a.Id != 0))
            await db.Alerts.Where(a => a.Id == alert.Id).ExecuteUpdateAsync(set => set
                .SetProperty(a => a.LastSeq, alert.LastSeq).SetProperty(a => a.LastAtMs, alert.LastAtMs).SetProperty(a => a.Count, alert.Count), CancellationToken.None);
        await db.AlertCursors.Where(c => c.TenantId == state.TenantId).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.EvaluatedSeq, lastSeq).SetProperty(c => c.EvaluatedAtMs, newestMs).SetProperty(c => c.WarmFromSeq, warmFrom), CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        // The episodes are stored before their events, so a page that reloads on an alert_fired event finds its alert.
        // Killed in between, the next load records the events of the last batch's episodes (see LoadAsync).
        foreach (var alert in fired)
        {
            await RecordAsync(alert, state.Rules[alert.RuleId].Rule);
            metrics.AlertFired(alert.RuleType);
            logger.AlertFired(alert.RuleName, alert.TenantId, alert.Summary);
        }
        return events.Count == BatchSize;
    }

    /// <summary>The episode's <c>alert_fired</c> event, at the time of the event that triggered it; stored once however often this runs.</summary>
    private Task RecordAsync(Alert alert, AlertRule rule) =>
        actions.RecordAsync(alert.TenantId, Actor, $"alert_rule:{rule.Id}", new
        {
            rule_id = rule.Id, rule = rule.Name, rule_type = rule.Type, key = alert.Key, summary = alert.Summary,
            trigger_seq = alert.TriggerSeq, count = alert.Count, window_minutes = rule.WindowMinutes,
            notify = AlertRules.NotifyIds(rule),
        }, eventType: AuditVocabulary.AlertEventType, eventId: AlertEventId(rule.Id, alert.TriggerSeq), atMs: alert.FiredAtMs);

    public static string AlertEventId(long ruleId, long triggerSeq) => $"alert_{ruleId}_{triggerSeq}";

    /// <summary>A tenant's place in its events and what its rules count.</summary>
    private sealed class TenantState(AlertCursor cursor)
    {
        public string TenantId { get; } = cursor.TenantId;
        public long Seq { get; private set; } = cursor.EvaluatedSeq;
        public Dictionary<long, RuleState> Rules { get; } = [];

        /// <summary>Takes up new rules (they count from here on) and drops deleted ones.</summary>
        public void Follow(List<AlertRule> rules)
        {
            foreach (var gone in Rules.Keys.Except(rules.Select(r => r.Id)).ToList()) Rules.Remove(gone);
            foreach (var rule in rules.Where(r => !Rules.ContainsKey(r.Id))) Rules[rule.Id] = new RuleState(rule);
        }

        /// <summary>Moves past a batch ending at <paramref name="lastSeq"/>; returns the seq after which the windows' events begin.</summary>
        public long Advance(long lastSeq)
        {
            Seq = lastSeq;
            var oldest = Rules.Values.Select(r => r.OldestSeq).DefaultIfEmpty(long.MaxValue).Min();
            return Math.Min(lastSeq, oldest - 1);
        }
    }

    /// <summary>One rule's windows (one a key) and its open episodes.</summary>
    private sealed class RuleState(AlertRule rule)
    {
        private readonly Func<AuditEvent, AlertSample?> _sample = AlertRuleTypes.Of(rule).Sampler(rule);
        private readonly Dictionary<string, AlertWindow> _windows = [];
        private long _batch;

        public AlertRule Rule => rule;
        public AlertRuleType Type { get; } = AlertRuleTypes.Of(rule);
        public long WindowMs { get; } = rule.WindowMinutes * 60_000L;
        public Dictionary<string, Alert> Open { get; } = [];

        /// <summary>Counts an event; live, it also grows an open episode or fires a new one (put in <paramref name="episodes"/>).</summary>
        public void Count(AuditEvent e, bool live, HashSet<Alert>? episodes)
        {
            if (_sample(e) is not { } sample) return;
            if (!_windows.TryGetValue(sample.Key, out var window)) _windows[sample.Key] = window = new AlertWindow(WindowMs);
            window.LastBatch = _batch;
            if (!window.Add(e.TimestampMs, e.Seq, sample.Hit) || !live) return;
            var open = Open.TryGetValue(sample.Key, out var episode) && e.TimestampMs <= episode.LastAtMs + WindowMs ? episode : null;
            if (open is not null && sample.Hit)
            {
                open.Count++;
                episodes!.Add(open);
            }
            if (!Type.Holds(rule, window.Events, window.Hits)) return;
            if (open is not null)
            {
                (open.LastSeq, open.LastAtMs) = (e.Seq, Math.Max(open.LastAtMs, e.TimestampMs));
                episodes!.Add(open);
                return;
            }
            var fired = new Alert
            {
                TenantId = e.TenantId, RuleId = rule.Id, RuleName = rule.Name, RuleType = rule.Type, Key = sample.Key,
                TriggerSeq = e.Seq, FiredAtMs = e.TimestampMs, LastSeq = e.Seq, LastAtMs = e.TimestampMs, Count = window.Hits,
                Summary = Type.Describe(rule, sample.Key, window.Events, window.Hits), WindowMs = WindowMs,
            };
            Open[sample.Key] = fired;
            episodes!.Add(fired);
        }

        /// <summary>The lowest seq a window still counts (<see cref="long.MaxValue"/> with none).</summary>
        public long OldestSeq => _windows.Values.Select(w => w.OldestSeq).DefaultIfEmpty(long.MaxValue).Min();

        /// <summary>
        /// After a batch: forgets the keys that sat it out and whose newest event is a window behind the
        /// batch's newest (with their episodes: over). Returns how many keys it had to drop over the cap.
        /// </summary>
        public int Forget(long newestMs)
        {
            var behind = newestMs / 1000 - WindowMs / 1000;
            foreach (var (key, window) in _windows)
                if (window.LastBatch != _batch && window.NewestSecond < behind)
                {
                    _windows.Remove(key);
                    Open.Remove(key);
                }
            _batch++;
            if (_windows.Count <= MaxKeysPerRule) return 0;
            var quietest = _windows.OrderBy(w => w.Value.Hits).ThenBy(w => w.Value.NewestSecond).Take(_windows.Count - MaxKeysPerRule).Select(w => w.Key).ToList();
            foreach (var key in quietest)
            {
                _windows.Remove(key);
                Open.Remove(key);
            }
            return quietest.Count;
        }
    }
}
