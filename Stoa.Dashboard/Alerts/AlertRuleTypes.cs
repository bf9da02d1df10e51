using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Alerts;

/// <summary>What a rule counts in an event (its type's <c>Sampler</c>, made once per rule): the key it counts by and whether the event is a hit; none when the rule ignores the event.</summary>
public readonly record struct AlertSample(string Key, bool Hit);

/// <summary>
/// One kind of alert rule: which events it reads, what it counts them by, and whether it fires on a
/// number of hits in the window or on the share of hits among the events (a rate).
/// </summary>
public sealed record AlertRuleType(string Name, string Title, string Help, string KeyName, double Threshold, int WindowMinutes, int MinEvents,
    Func<AlertRule, Func<AuditEvent, AlertSample?>> Sampler)
{
    public bool IsRate => MinEvents > 0;

    /// <summary>Whether a window's counts make the rule hold.</summary>
    public bool Holds(AlertRule rule, long events, long hits) =>
        IsRate ? events >= rule.MinEvents && hits * 100.0 >= rule.Threshold * events : hits >= rule.Threshold;

    /// <summary>The one line an alert of this rule shows and sends.</summary>
    public string Describe(AlertRule rule, string key, long events, long hits) =>
        Name == "event_types" && key.Split(' ', 2) is [var type, var target] ? $"{rule.Name}: {type} on {target}"
        : IsRate ? $"{rule.Name}: {KeyName} {key} failed {hits:N0} of {events:N0} requests ({hits * 100.0 / events:0}%) within {rule.WindowMinutes} min"
        : $"{rule.Name}: {hits:N0} {Title.ToLowerInvariant()} for {KeyName} {key} within {rule.WindowMinutes} min";
}

/// <summary>The rule types, with the defaults the "recommended rules" use.</summary>
public static class AlertRuleTypes
{
    public static readonly AlertRuleType BruteForce = new("brute_force", "Failed sign-ins",
        "Failed authentications (auth_failed) against one target, such as a key.", "target", 20, 5, 0,
        _ => e => e is SecurityEvent { Type: "auth_failed" } s ? new AlertSample(s.Target, true) : null);

    public static readonly AlertRuleType ErrorRate = new("error_rate", "Error rate",
        "The share of a consumer's requests that fail (status 400 and above), once it made enough of them.", "consumer", 50, 10, 50,
        _ => e => e is RequestEvent r ? new AlertSample(r.ConsumerId, r.StatusCode >= 400) : null);

    public static readonly AlertRuleType ServerErrors = new("server_errors", "Server errors",
        "Responses with status 500 and above from one API.", "API", 50, 5, 0,
        _ => e => e is RequestEvent { StatusCode: >= 500 } r ? new AlertSample(r.ApiId, true) : null);

    public static readonly AlertRuleType RunawayJob = new("runaway_job", "Repeated calls",
        "The same successful call (method and path) made over and over by one consumer, like a job stuck in a loop.", "consumer and call", 1_000, 60, 0,
        _ => e => e is RequestEvent { StatusCode: < 400 } r ? new AlertSample($"{r.ConsumerId} {r.Method} {r.Path}", true) : null);

    public static readonly AlertRuleType EventTypes = new("event_types", "Watched events",
        "Any security event of the chosen types, once per type and target within the window.", "event and target", 1, 60, 0,
        rule =>
        {
            var types = (rule.EventTypes ?? "").Split(' ').ToHashSet();
            return e => e is SecurityEvent s && types.Contains(s.Type) ? new AlertSample($"{s.Type} {s.Target}", true) : null;
        });

    public static readonly AlertRuleType[] All = [BruteForce, ErrorRate, ServerErrors, RunawayJob, EventTypes];

    public static readonly string[] Names = All.Select(t => t.Name).ToArray();

    public static AlertRuleType Of(AlertRule rule) => All.First(t => t.Name == rule.Type);

    /// <summary>The longest window a rule may have: a restart re-reads this much of the past to refill the windows.</summary>
    public const int MaxWindowMinutes = 60;

    /// <summary>The event types the recommended <c>event_types</c> rule watches.</summary>
    public const string RecommendedEventTypes = "key_revoked consumer_suspended";
}
