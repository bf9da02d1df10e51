using Stoa.Dashboard.Evidence;

namespace Stoa.Dashboard.Storage;

/// <summary>The table each kind of event is stored in, for the hot paths that write SQL by hand.</summary>
public static class EventTables
{
    public static string Of(EventKind kind) => kind switch
    {
        EventKind.Request => "request_events",
        EventKind.Security => "security_events",
        _ => "business_events",
    };

    /// <summary>The column that, with <c>tenant_id</c>, makes an event unique (the idempotency key).</summary>
    public static string KeyOf(EventKind kind) => kind == EventKind.Request ? "request_id" : "event_id";

    /// <summary>The columns the writer fills, in order: the kind's field table, then <c>seq</c> and <c>chain_head</c>.</summary>
    public static IReadOnlyList<string> Columns(EventKind kind) =>
        AuditEvent.FieldsOf(kind).Append(EventField.Seq).Select(f => f.Name).Append(HashChain.Column).ToList();
}
