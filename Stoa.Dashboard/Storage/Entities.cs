namespace Stoa.Dashboard.Storage;

// The events themselves are in Events/. Timestamps are stored as Unix milliseconds (UTC); column
// names follow the API's field names (see AuditDbContext).

/// <summary>A tenant the store knows: created by its first ingest or by issuing a token for it.</summary>
public sealed class Tenant
{
    public required string TenantId { get; set; }
    public long CreatedAtMs { get; set; }
    /// <summary>The last arrival sequence number given to one of the tenant's events (0 before the first).</summary>
    public long LastSeq { get; set; }
    /// <summary>The tenant's chain head at <see cref="LastSeq"/> (null before the first event).</summary>
    public byte[]? ChainHead { get; set; }
    /// <summary>Path prefixes whose requests the breach playbook calls out (one a line: <c>/api/customers</c>), set by operators.</summary>
    public string? SensitivePaths { get; set; }
    /// <summary>The tenant's retention policy as <c>RetentionPolicy.Text</c> (<c>90d/12mo</c>, <c>none</c>); null: the configured default.</summary>
    public string? Retention { get; set; }
    /// <summary>
    /// Where the chain starts once its oldest events are purged (Retention/): the last purged seq and
    /// the head after it. 0 and null while nothing is purged (the walk starts at genesis).
    /// </summary>
    public long ChainBaseSeq { get; set; }
    public byte[]? ChainBaseHead { get; set; }
}

/// <summary>
/// One archive file: a tenant's events of one kind and one UTC day that left the hot tables, as
/// gzip-compressed canonical NDJSON (Retention/ArchiveFiles). Kept for good: once the file is
/// purged, the row (with <see cref="PurgedAtMs"/>) is the record of what was deleted and when.
/// </summary>
public sealed class ArchiveFile
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    /// <summary><c>requests</c>, <c>security</c> or <c>business</c> (the export's layer names).</summary>
    public required string Layer { get; set; }
    /// <summary>The UTC day the events' times fall in (its midnight).</summary>
    public long DayMs { get; set; }
    /// <summary>1 for the day's first file; a later one holds events of that day that arrived after it was archived.</summary>
    public int Part { get; set; }
    /// <summary>The file's path under the archive directory.</summary>
    public required string Path { get; set; }
    public long Rows { get; set; }
    public long FirstSeq { get; set; }
    public long LastSeq { get; set; }
    public long Bytes { get; set; }
    /// <summary>SHA-256 of the file (the compressed bytes), lower-case hex.</summary>
    public required string Sha256 { get; set; }
    /// <summary>The chain heads the store kept with the file's first and last seq.</summary>
    public required byte[] FirstHead { get; set; }
    public required byte[] LastHead { get; set; }
    /// <summary>The signed checkpoint that covers <see cref="LastSeq"/> when the file was written.</summary>
    public long CheckpointId { get; set; }
    public long ArchivedAtMs { get; set; }
    public long? PurgedAtMs { get; set; }
}

/// <summary>A legal hold on a tenant (or a window of it): nothing it covers is archived or purged until it is released.</summary>
public sealed class LegalHold
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public long? FromMs { get; set; }
    public long? ToMs { get; set; }
    public required string Reason { get; set; }
    public required string PlacedBy { get; set; }
    public long PlacedAtMs { get; set; }
    public string? ReleasedBy { get; set; }
    public long? ReleasedAtMs { get; set; }

    /// <summary>Whether the hold, while in force, covers any of the day starting at <paramref name="dayMs"/>.</summary>
    public bool Covers(long dayMs) => ReleasedAtMs is null
        && (FromMs is not { } from || from < dayMs + AuditTime.DayMs) && (ToMs is not { } to || to > dayMs);
}

/// <summary>Work that one instance at a time does (the retention run): whoever holds the lease until it expires.</summary>
public sealed class Lease
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public long ExpiresAtMs { get; set; }
}

/// <summary>
/// A signed statement that the tenant's chain had this head at this seq (Evidence/Checkpoints).
/// Kept for good; each names the one before it, so they form a chain of their own.
/// </summary>
public sealed class Checkpoint
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public long Seq { get; set; }
    public required byte[] Head { get; set; }
    public long CreatedAtMs { get; set; }
    public required string KeyId { get; set; }
    /// <summary>The exact bytes that were signed (UTF-8 JSON, docs/evidence.md).</summary>
    public required string Statement { get; set; }
    /// <summary>ECDSA P-256 over SHA-256 of <see cref="Statement"/>, DER-encoded (what openssl verifies).</summary>
    public required byte[] Signature { get; set; }
}

/// <summary>An API token. Only the SHA-256 of the secret is kept.</summary>
public sealed class ApiToken
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    /// <summary>Space-separated tenant ids, or <c>*</c> for every tenant (operators only).</summary>
    public required string Tenants { get; set; }
    /// <summary>Space-separated consumer ids a client may see; empty for other roles.</summary>
    public string Consumers { get; set; } = "";
    public required string SecretHash { get; set; }
    public long CreatedAtMs { get; set; }
    public long? ExpiresAtMs { get; set; }
    public long? RevokedAtMs { get; set; }
    public long? LastUsedAtMs { get; set; }
}

/// <summary>A one-time sign-in link for a token: time-limited, single use, revocable. Only the code's hash is kept.</summary>
public sealed class SignInLink
{
    public required string Id { get; set; }
    public required string CodeHash { get; set; }
    public required string TokenId { get; set; }
    public long CreatedAtMs { get; set; }
    public long ExpiresAtMs { get; set; }
    public long? UsedAtMs { get; set; }
    public long? RevokedAtMs { get; set; }
}

/// <summary>
/// Requests of one tenant, consumer and status in one hour or one day (<see cref="SpanMs"/>): kept
/// current in the same transaction as the events, so long windows are answered from days and
/// hours instead of rows, exactly.
/// </summary>
public sealed class RequestRollup
{
    public required string TenantId { get; set; }
    public long SpanMs { get; set; }
    public long BucketMs { get; set; }
    public required string ConsumerId { get; set; }
    public int StatusCode { get; set; }
    public required string ConsumerName { get; set; }
    public long Requests { get; set; }
    public long BytesIn { get; set; }
    public long BytesOut { get; set; }
}

/// <summary>
/// What a Microsoft Entra user may see of one tenant. The role comes from the user's Entra app
/// role; the tenant (and, for a client, the consumers) from here, managed by the tenant's operators.
/// </summary>
public sealed class EntraGrant
{
    public long Id { get; set; }
    /// <summary>The user's object id or email, lower-cased, as the operator entered it.</summary>
    public required string Subject { get; set; }
    /// <summary>
    /// For a grant entered by email: who first signed in with that email, as <c>{directory id}/{object id}</c>
    /// (<c>EntraUser.Identity</c>). From then on the grant follows that user, not the email (which can
    /// change hands or be renamed).
    /// </summary>
    public string? ObjectId { get; set; }
    public required string TenantId { get; set; }
    /// <summary>Space-separated consumer ids a client may see of the tenant; operators see them all.</summary>
    public string Consumers { get; set; } = "";
    public long CreatedAtMs { get; set; }
    public required string CreatedBy { get; set; }
}

/// <summary>
/// An incident being worked through a playbook: what, of which tenant, over which window, who opened
/// it and when, and for a possible breach when it was detected (the GDPR 72-hour clock starts then).
/// Everything done for it is an <see cref="IncidentEntry"/> on its timeline.
/// </summary>
public sealed class Incident
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    /// <summary><c>breach</c>, <c>corruption</c>, <c>cost_spike</c> or <c>other</c>.</summary>
    public required string Playbook { get; set; }
    public required string Title { get; set; }
    public long WindowFromMs { get; set; }
    public long WindowToMs { get; set; }
    public required string OpenedBy { get; set; }
    public long OpenedAtMs { get; set; }
    public long? DetectedAtMs { get; set; }
    public string? ClosedBy { get; set; }
    public long? ClosedAtMs { get; set; }
}

/// <summary>One line of an incident's timeline: a finding, a note, an export, a revocation, its opening and closing.</summary>
public sealed class IncidentEntry
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public long AtMs { get; set; }
    public required string Author { get; set; }
    /// <summary><c>opened</c>, <c>finding</c>, <c>note</c>, <c>detected</c>, <c>export</c>, <c>revocation</c>, <c>closed</c>, <c>reopened</c>.</summary>
    public required string Kind { get; set; }
    public required string Text { get; set; }
    /// <summary>A dashboard link to what it is about (a page with its window, an event), if any.</summary>
    public string? Link { get; set; }
}

/// <summary>Someone reviewed a tenant's week (Monday 00:00 UTC to the next Monday), as the weekly review page records it.</summary>
public sealed class WeeklyReviewMark
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public long WeekStartMs { get; set; }
    public required string ReviewedBy { get; set; }
    public long ReviewedAtMs { get; set; }
}

/// <summary>
/// Where a tenant's events are forwarded (Forwarding/): a signed webhook, syslog over TLS or a
/// Kafka topic, with the kinds and event types it takes, and its durable cursor: the last seq
/// delivered. Its secret (webhook key, SASL password) is a file of its own, never in the store.
/// </summary>
public sealed class Destination
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    /// <summary><c>webhook</c>, <c>syslog</c> or <c>kafka</c>.</summary>
    public required string Kind { get; set; }
    /// <summary>The webhook's URL, syslog's <c>host:port</c>, Kafka's bootstrap servers.</summary>
    public required string Target { get; set; }
    /// <summary>The Kafka topic.</summary>
    public string? Topic { get; set; }
    /// <summary>How each event is written: <c>json</c> (the API's JSON), <c>cef</c> (syslog), <c>slack</c> (a Slack-compatible incoming webhook).</summary>
    public string Format { get; set; } = "json";
    /// <summary>A PEM file of the CA that signed the receiver's TLS certificate, when it is not one the system trusts.</summary>
    public string? CaFile { get; set; }
    /// <summary>Kafka SASL user (its password is the destination's secret).</summary>
    public string? SaslUsername { get; set; }
    /// <summary>Space-separated kinds it takes (<c>request security business</c>); null: all.</summary>
    public string? Kinds { get; set; }
    /// <summary>Space-separated event types it takes; null: all.</summary>
    public string? EventTypes { get; set; }
    public bool Enabled { get; set; } = true;
    public long CreatedAtMs { get; set; }
    public required string CreatedBy { get; set; }
    /// <summary>The cursor: every event of the tenant up to this seq has been delivered (or did not match).</summary>
    public long DeliveredSeq { get; set; }
    public long? DeliveredAtMs { get; set; }
    /// <summary>Events delivered since it was created (a retried batch counts again).</summary>
    public long DeliveredCount { get; set; }
    public string? LastError { get; set; }
    public long? LastErrorAtMs { get; set; }
    /// <summary>Consecutive failed attempts; reset by a delivery.</summary>
    public int Failures { get; set; }
    public long? FailingSinceMs { get; set; }
}

/// <summary>
/// An alert rule of a tenant (Alerts/): what to count (<see cref="Type"/>: brute force, a consumer's
/// error rate, a 5xx spike, a runaway job, events of chosen types), how many in how long, and which
/// destinations to notify when it fires.
/// </summary>
public sealed class AlertRule
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    /// <summary>One of <c>Alerts.AlertRuleTypes</c>: <c>brute_force</c>, <c>error_rate</c>, <c>server_errors</c>, <c>runaway_job</c>, <c>event_types</c>.</summary>
    public required string Type { get; set; }
    /// <summary>Events in the window (a percentage for <c>error_rate</c>) that make it fire.</summary>
    public double Threshold { get; set; }
    /// <summary>For <c>error_rate</c>: the fewest requests in the window for the rate to count.</summary>
    public int MinEvents { get; set; }
    public int WindowMinutes { get; set; }
    /// <summary>For <c>event_types</c>: the security event types it watches, space-separated.</summary>
    public string? EventTypes { get; set; }
    /// <summary>Destination ids notified when it fires, space-separated; null: none (the alert is still recorded and shown).</summary>
    public string? Notify { get; set; }
    public long CreatedAtMs { get; set; }
    public required string CreatedBy { get; set; }
}

/// <summary>
/// One episode of a firing rule for one key (a target, a consumer, an API): it fires once, at
/// <see cref="TriggerSeq"/>, and grows while the rule keeps holding; it is over once the rule has
/// not held for a whole window. Its <c>alert_fired</c> security event is in the tenant's record.
/// </summary>
public sealed class Alert
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public long RuleId { get; set; }
    public required string RuleName { get; set; }
    public required string RuleType { get; set; }
    /// <summary>What the rule counts by: the target of brute force, the consumer, the API, the consumer and call of a runaway job.</summary>
    public required string Key { get; set; }
    /// <summary>The seq and time of the event that made the rule hold.</summary>
    public long TriggerSeq { get; set; }
    public long FiredAtMs { get; set; }
    /// <summary>The last event while the rule held: the episode runs until a window after it.</summary>
    public long LastSeq { get; set; }
    public long LastAtMs { get; set; }
    /// <summary>Events the rule counted in the episode (hits: failed sign-ins, errors, calls).</summary>
    public long Count { get; set; }
    public required string Summary { get; set; }
    public long WindowMs { get; set; }
}

/// <summary>How far the alert rules of a tenant have read its events, and where a restart starts re-reading to refill their windows.</summary>
public sealed class AlertCursor
{
    public required string TenantId { get; set; }
    public long EvaluatedSeq { get; set; }
    /// <summary>The newest event time read so far.</summary>
    public long EvaluatedAtMs { get; set; }
    /// <summary>The seq after which events may still be inside a rule's window (a restart re-reads from here, without firing).</summary>
    public long WarmFromSeq { get; set; }
}
