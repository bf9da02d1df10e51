namespace Stoa.Dashboard.Events;

/// <summary>A security event: failed auth, rate limit, blocked policy, key and consumer changes, admin actions.</summary>
public sealed class SecurityEvent : AuditEvent, IEventKind
{
    public required string EventId { get; set; }
    public required string Type { get; set; }
    public required string Actor { get; set; }
    public required string Target { get; set; }
    public required string Outcome { get; set; }
    /// <summary>The <c>details</c> object as JSON text, or null.</summary>
    public string? Details { get; set; }

    public static EventKind ThisKind => EventKind.Security;
    public override EventKind Kind => ThisKind;
    public override string EventType => Type;
    public override IReadOnlyList<EventField> Fields => FieldList;
    public override string Who => Actor;
    public override string Summary => $"{Type}: {Actor} → {Target} ({Outcome})";

    /// <summary>The fields of a security event, in the contract's order. Both actor and target can name a consumer.</summary>
    public static IReadOnlyList<EventField> FieldList { get; } =
    [
        EventField.Time<SecurityEvent>("timestamp", s => s.TimestampMs),
        EventField.Text<SecurityEvent>("event_id", s => s.EventId),
        EventField.Text<SecurityEvent>("event_type", s => s.Type),
        EventField.Text<SecurityEvent>("tenant_id", s => s.TenantId),
        EventField.ConsumerText<SecurityEvent>("actor", s => s.Actor),
        EventField.ConsumerText<SecurityEvent>("target", s => s.Target),
        EventField.Text<SecurityEvent>("outcome", s => s.Outcome),
        EventField.Json<SecurityEvent>("details", s => s.Details),
    ];
}
