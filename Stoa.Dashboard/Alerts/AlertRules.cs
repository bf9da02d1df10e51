using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Alerts;

/// <summary>What an operator asks for when adding a rule (the page's form, the API's form body); a value left out takes the type's default.</summary>
public sealed record AlertRuleRequest(string? Name, string? Type, double? Threshold, int? WindowMinutes, int? MinEvents,
    IReadOnlyList<string>? EventTypes, IReadOnlyList<long>? Notify);

/// <summary>An episode as the pages and the API show it: ongoing until a whole window passed without the rule holding.</summary>
public sealed record AlertEpisode(Alert Alert, bool Ongoing);

/// <summary>
/// A tenant's alert rules, as operators manage them (each change an <c>admin_action</c>), and the
/// alerts they fired. A new rule counts the events stored after it.
/// </summary>
public sealed class AlertRules(IDbContextFactory<AuditDbContext> factory, AdminActions actions, TimeProvider clock)
{
    /// <summary>The problems of a request, each naming its field; none when it can be added.</summary>
    public static List<QueryProblem> Check(AlertRuleRequest r, IReadOnlyCollection<long> destinationIds)
    {
        var problems = new List<QueryProblem>();
        if (r.Type is null || !AlertRuleTypes.Names.Contains(r.Type)) problems.Add(new("type", $"One of {string.Join(", ", AlertRuleTypes.Names)}."));
        if (r.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 100)) problems.Add(new("name", "1 to 100 characters, or leave it out."));
        var isRate = r.Type == AlertRuleTypes.ErrorRate.Name;
        if (r.Threshold is { } t && (isRate ? t is <= 0 or > 100 : t is < 1 or > 1_000_000 || t != Math.Floor(t)))
            problems.Add(new("threshold", isRate ? "A percentage above 0, at most 100." : "A whole number of events from 1 to 1,000,000."));
        if (r.WindowMinutes is < 1 or > AlertRuleTypes.MaxWindowMinutes)
            problems.Add(new("window_minutes", $"From 1 to {AlertRuleTypes.MaxWindowMinutes} minutes."));
        if (r.MinEvents is { } min && (!isRate || min is < 1 or > 1_000_000))
            problems.Add(new("min_events", isRate ? "From 1 to 1,000,000 requests." : "Only error_rate rules take min_events."));
        if (r.Type == AlertRuleTypes.EventTypes.Name && r.EventTypes is not { Count: > 0 })
            problems.Add(new("event_types", "Name the security event types to watch, such as key_revoked, consumer_suspended."));
        if (r.EventTypes is { Count: > 0 } && r.Type != AlertRuleTypes.EventTypes.Name)
            problems.Add(new("event_types", "Only event_types rules take event types."));
        if (r.EventTypes?.FirstOrDefault(t => !AuditVocabulary.SecurityEventTypes.Contains(t) || t == AuditVocabulary.AlertEventType) is { } type)
            problems.Add(new("event_types", $"'{type}' is not a security event type a rule can watch."));
        if (r.Notify?.Where(id => !destinationIds.Contains(id)).Select(id => (long?)id).FirstOrDefault() is { } missing)
            problems.Add(new("notify", $"The tenant has no destination {missing}."));
        return problems;
    }

    /// <summary>Adds a rule (the type's defaults for what is left out); it counts the events stored from now on.</summary>
    public async Task<AlertRule> AddAsync(string actor, string tenantId, AlertRuleRequest r, CancellationToken ct = default)
    {
        var type = AlertRuleTypes.All.First(t => t.Name == r.Type);
        var rule = new AlertRule
        {
            TenantId = tenantId, Name = r.Name?.Trim() ?? type.Title, Type = type.Name, Threshold = r.Threshold ?? type.Threshold,
            WindowMinutes = r.WindowMinutes ?? type.WindowMinutes, MinEvents = type.IsRate ? r.MinEvents ?? type.MinEvents : 0,
            EventTypes = r.EventTypes is { Count: > 0 } types ? string.Join(' ', types.Distinct()) : null,
            Notify = r.Notify is { Count: > 0 } notify ? string.Join(' ', notify.Distinct()) : null,
            CreatedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds(), CreatedBy = actor,
        };
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if (!await db.AlertCursors.AnyAsync(c => c.TenantId == tenantId, ct)) await StartCursorAsync(db, tenantId, ct);
            db.AlertRules.Add(rule);
            await db.SaveChangesAsync(ct);
        }
        await actions.RecordAsync(tenantId, actor, $"alert_rule:{rule.Id}", new
        {
            action = "alert_rule_created", rule_id = rule.Id, name = rule.Name, type = rule.Type, threshold = rule.Threshold,
            window_minutes = rule.WindowMinutes, min_events = rule.MinEvents, event_types = rule.EventTypes, notify = NotifyIds(rule),
        });
        return rule;
    }

    /// <summary>One rule of each type with its defaults (watching key revocations and suspensions), notifying <paramref name="notify"/>.</summary>
    public async Task<List<AlertRule>> AddRecommendedAsync(string actor, string tenantId, IReadOnlyList<long>? notify = null, CancellationToken ct = default)
    {
        var rules = new List<AlertRule>();
        foreach (var type in AlertRuleTypes.All)
            rules.Add(await AddAsync(actor, tenantId, new AlertRuleRequest(null, type.Name, null, null, null,
                type == AlertRuleTypes.EventTypes ? AlertRuleTypes.RecommendedEventTypes.Split(' ') : null, notify), ct));
        return rules;
    }

    public async Task<List<AlertRule>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.AlertRules.AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(r => r.Id).ToListAsync(ct);
    }

    public async Task<bool> DeleteAsync(string actor, string tenantId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rule = await db.AlertRules.FirstOrDefaultAsync(r => r.Id == id && r.TenantId == tenantId, ct);
        if (rule is null) return false;
        db.AlertRules.Remove(rule);
        await db.SaveChangesAsync(ct);
        await actions.RecordAsync(tenantId, actor, $"alert_rule:{id}", new { action = "alert_rule_deleted", rule_id = id, name = rule.Name });
        return true;
    }

    /// <summary>The episodes that overlap the window, newest first, at most <paramref name="limit"/>.</summary>
    public async Task<List<AlertEpisode>> HistoryAsync(string tenantId, long fromMs, long toMs, int limit, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return (await db.Alerts.AsNoTracking()
                .Where(a => a.TenantId == tenantId && a.FiredAtMs < toMs && a.LastAtMs + a.WindowMs >= fromMs)
                .OrderByDescending(a => a.FiredAtMs).ThenByDescending(a => a.Id).Take(limit).ToListAsync(ct))
            .Select(a => new AlertEpisode(a, a.LastAtMs + a.WindowMs >= now)).ToList();
    }

    /// <summary>How far the rules have read (the seq of the last event evaluated) and how many stored events they have still to read.</summary>
    public async Task<(long EvaluatedSeq, long LagEvents)> ProgressAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var evaluated = await db.AlertCursors.Where(c => c.TenantId == tenantId).Select(c => (long?)c.EvaluatedSeq).FirstOrDefaultAsync(ct);
        var last = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => t.LastSeq).FirstOrDefaultAsync(ct);
        return evaluated is { } seq ? (seq, Math.Max(0, last - seq)) : (last, 0);
    }

    public static long[] NotifyIds(AlertRule rule) => rule.Notify?.Split(' ').Select(long.Parse).ToArray() ?? [];

    /// <summary>A tenant's alert cursor, at its last event: rules count what is stored after they are made.</summary>
    public static async Task<AlertCursor> StartCursorAsync(AuditDbContext db, string tenantId, CancellationToken ct)
    {
        var last = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => new { t.LastSeq }).FirstOrDefaultAsync(ct);
        var cursor = new AlertCursor { TenantId = tenantId, EvaluatedSeq = last?.LastSeq ?? 0, WarmFromSeq = last?.LastSeq ?? 0 };
        db.AlertCursors.Add(cursor);
        await db.SaveChangesAsync(ct);
        db.Entry(cursor).State = EntityState.Detached;
        return cursor;
    }
}
