namespace Stoa.Dashboard.Api;

/// <summary>
/// What each query parameter means, by name: a name means the same on every endpoint that takes it,
/// so it is said once here. The document adds the type, range and values from the endpoint's reader.
/// </summary>
public static class ParameterDocs
{
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["from"] = "Start of the window, inclusive, RFC 3339 with any offset (2026-03-11T03:00:00Z).",
        ["to"] = "End of the window, exclusive, RFC 3339.",
        ["hours"] = "A window of this many hours back from now (instead of from/to).",
        ["days"] = "A window of this many days back from now (instead of from/to).",
        ["limit"] = "Events a page holds at most.",
        ["order"] = "desc (newest first) or asc (oldest first).",
        ["cursor"] = "The previous page's next_cursor, unchanged: the next page, neither skipping nor repeating.",
        ["since_seq"] = "The events stored after this seq, in arrival order (a script's \"everything new since I last looked\").",
        ["consumer_id"] = "One consumer's events only.",
        ["api_id"] = "One API's requests only.",
        ["method"] = "HTTP method.",
        ["path"] = "Exact request path (case-sensitive).",
        ["path_prefix"] = "Request paths starting with this (case-sensitive, literal).",
        ["status"] = "Exact status code.",
        ["status_min"] = "Lowest status code, inclusive.",
        ["status_max"] = "Highest status code, inclusive.",
        ["event_type"] = "Security event types, comma-separated.",
        ["actor"] = "Who acted (a consumer, an address, a person).",
        ["target"] = "What it acted on (a key, a consumer, a policy).",
        ["outcome"] = "success, failure or blocked.",
        ["action"] = "The business action (created, updated, deleted, …).",
        ["resource_type"] = "The business resource's type.",
        ["resource_id"] = "The business resource's id.",
        ["actor_id"] = "Who made the business change.",
        ["request_id"] = "The request that caused the business change.",
        ["layer"] = "Which records: requests, security or business.",
        ["archived"] = "include: also the window's archived days, streamed from the archive files.",
        ["incident_id"] = "Operators: put this export on that incident's timeline.",
        ["download_ticket"] = "The dashboard's own downloads: a ticket its page opened to follow and cancel this download. Scripts leave it out.",
        ["from_seq"] = "First seq of the range to check.",
        ["to_seq"] = "Last seq of the range to check.",
        ["tenant"] = "The tenant (when the path does not name it).",
        ["policy"] = "default, dora, none, or hot days and archived months such as 90d/12mo.",
        ["reason"] = "Why, in words (kept with the record).",
        ["type"] = "The alert rule's type.",
        ["name"] = "A name people recognise.",
        ["threshold"] = "Events in the window that make the rule fire (a percentage for error_rate); the type's default when left out.",
        ["window_minutes"] = "The sliding window the rule counts in; the type's default when left out.",
        ["min_events"] = "error_rate: the fewest requests in the window for the rate to count.",
        ["event_types"] = "Security event types, comma-separated.",
        ["notify"] = "Destination ids to send the alert to, comma-separated.",
        ["kind"] = "The destination's kind.",
        ["kinds"] = "Event kinds it takes, comma-separated (all when left out).",
        ["format"] = "How each event is written.",
        ["topic"] = "The Kafka topic.",
        ["ca_file"] = "A PEM file on the server of the CA that signed the receiver's certificate.",
        ["sasl_username"] = "Kafka SASL user.",
        ["sasl_password"] = "Kafka SASL password (a form field, never a URL).",
        ["backfill"] = "true: from the first stored event; by default from the next.",
    };

    /// <summary>The parameter's meaning, and for a comma-separated list the values it takes.</summary>
    public static string Describe(QueryParameter p)
    {
        var meaning = Meanings.GetValueOrDefault(p.Name) ?? throw new InvalidOperationException($"Parameter '{p.Name}' has no description in ParameterDocs.");
        return p.CommaSeparated && p.Values is { } values ? $"{meaning} One or more of: {string.Join(", ", values)}." : meaning;
    }
}
