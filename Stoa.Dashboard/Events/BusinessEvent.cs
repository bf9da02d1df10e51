namespace Stoa.Dashboard.Events;

/// <summary>An application business-audit event: what changed, before and after.</summary>
public sealed class BusinessEvent : AuditEvent, IEventKind
{
    public required string EventId { get; set; }
    public required string Action { get; set; }
    public required string ResourceType { get; set; }
    public required string ResourceId { get; set; }
    public required string ActorId { get; set; }
    /// <summary>The <c>changes</c> object as JSON text, or null.</summary>
    public string? Changes { get; set; }
    /// <summary>The <c>metadata</c> object as JSON text, or null.</summary>
    public string? Metadata { get; set; }
    /// <summary>The gateway request that caused the change: a correlation, not a key.</summary>
    public string? RequestId { get; set; }

    public static EventKind ThisKind => EventKind.Business;
    public override EventKind Kind => ThisKind;
    public override string EventType => AuditVocabulary.BusinessEventType;
    public override IReadOnlyList<EventField> Fields => FieldList;
    public override string Who => ActorId;
    public override string Summary => $"{Action} {ResourceType} {ResourceId}";

    /// <summary>The fields of a business event, in the contract's order.</summary>
    public static IReadOnlyList<EventField> FieldList { get; } =
    [
        EventField.Time<BusinessEvent>("timestamp", b => b.TimestampMs),
        EventField.Text<BusinessEvent>("event_id", b => b.EventId),
        EventField.Text<BusinessEvent>("tenant_id", b => b.TenantId),
        EventField.Text<BusinessEvent>("action", b => b.Action),
        EventField.Text<BusinessEvent>("resource_type", b => b.ResourceType),
        EventField.Text<BusinessEvent>("resource_id", b => b.ResourceId),
        EventField.ConsumerText<BusinessEvent>("actor_id", b => b.ActorId),
        EventField.Optional<BusinessEvent>("request_id", b => b.RequestId, WhenAbsent.Null),
        EventField.Json<BusinessEvent>("changes", b => b.Changes),
        EventField.Json<BusinessEvent>("metadata", b => b.Metadata),
    ];
}
