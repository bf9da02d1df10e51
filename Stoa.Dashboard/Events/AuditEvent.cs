namespace Stoa.Dashboard.Events;

/// <summary>The three kinds of event, in the order they sort at the same millisecond: the request first, then what it caused.</summary>
public enum EventKind { Request = 0, Security = 1, Business = 2 }

/// <summary>
/// What every stored event has, whatever its kind: where it is (tenant, id, arrival sequence), when
/// it happened, who it names first, and a line that sums it up. The kinds list their own fields in
/// a table (<see cref="Fields"/>); everything that prints or stores an event reads that table.
/// </summary>
/// <remarks>
/// Timestamps are Unix milliseconds (UTC): compact, index-friendly, and exactly the precision the
/// API prints. <see cref="Seq"/> is the tenant's arrival order across all three kinds (1, 2, 3, …),
/// assigned by the writer in the transaction that stores the event; it is 0 until then.
/// </remarks>
public abstract class AuditEvent
{
    public long Id { get; set; }
    public long Seq { get; set; }
    public required string TenantId { get; set; }
    public long TimestampMs { get; set; }

    public abstract EventKind Kind { get; }

    /// <summary><c>event_type</c> as the contract prints it.</summary>
    public abstract string EventType { get; }

    /// <summary>The field list of this kind, in the contract's order (the export's columns, before <c>seq</c>).</summary>
    public abstract IReadOnlyList<EventField> Fields { get; }

    /// <summary>Who the event names first: the calling consumer, the actor.</summary>
    public abstract string Who { get; }

    /// <summary>One line for lists and headings.</summary>
    public abstract string Summary { get; }

    /// <summary>The field lists of each kind.</summary>
    public static IReadOnlyList<EventField> FieldsOf(EventKind kind) => kind switch
    {
        EventKind.Request => RequestEvent.FieldList,
        EventKind.Security => SecurityEvent.FieldList,
        _ => BusinessEvent.FieldList,
    };
}

/// <summary>An event kind's own kind, for code that is generic over the kind.</summary>
public interface IEventKind
{
    static abstract EventKind ThisKind { get; }
}
