namespace Stoa.Dashboard.Events;

/// <summary>A gateway request event (<c>event_type: "api_request"</c>).</summary>
public sealed class RequestEvent : AuditEvent, IEventKind
{
    public required string RequestId { get; set; }
    public required string ConsumerId { get; set; }
    public required string ConsumerName { get; set; }
    public required string ApiId { get; set; }
    public required string Method { get; set; }
    public required string Path { get; set; }
    public int StatusCode { get; set; }
    public long LatencyMs { get; set; }
    public long RequestSizeBytes { get; set; }
    public long ResponseSizeBytes { get; set; }
    public required string GatewayVersion { get; set; }
    public required string Datacenter { get; set; }
    public string? KeyId { get; set; }
    public string? SessionId { get; set; }
    public string? UserId { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public string? ErrorMessage { get; set; }
    public string? RequestSummary { get; set; }

    public static EventKind ThisKind => EventKind.Request;
    public override EventKind Kind => ThisKind;
    public override string EventType => AuditVocabulary.RequestEventType;
    public override IReadOnlyList<EventField> Fields => FieldList;
    public override string Who => ConsumerId;
    public override string Summary => $"{Method} {Path} → {StatusCode}";

    /// <summary>The fields of a request event, in the contract's order.</summary>
    public static IReadOnlyList<EventField> FieldList { get; } =
    [
        EventField.Time<RequestEvent>("timestamp", r => r.TimestampMs),
        EventField.Text<RequestEvent>("request_id", r => r.RequestId),
        EventField.Text<RequestEvent>("tenant_id", r => r.TenantId),
        EventField.ConsumerText<RequestEvent>("consumer_id", r => r.ConsumerId),
        EventField.Text<RequestEvent>("consumer_name", r => r.ConsumerName),
        EventField.Text<RequestEvent>("api_id", r => r.ApiId),
        EventField.Text<RequestEvent>("method", r => r.Method),
        EventField.Text<RequestEvent>("path", r => r.Path),
        EventField.Integer<RequestEvent>("status_code", r => r.StatusCode),
        EventField.Integer<RequestEvent>("latency_ms", r => r.LatencyMs),
        EventField.Integer<RequestEvent>("request_size_bytes", r => r.RequestSizeBytes),
        EventField.Integer<RequestEvent>("response_size_bytes", r => r.ResponseSizeBytes),
        EventField.Text<RequestEvent>("gateway_version", r => r.GatewayVersion),
        EventField.Text<RequestEvent>("datacenter", r => r.Datacenter),
        EventField.Optional<RequestEvent>("key_id", r => r.KeyId),
        EventField.Optional<RequestEvent>("session_id", r => r.SessionId),
        EventField.Optional<RequestEvent>("user_id", r => r.UserId),
        EventField.Optional<RequestEvent>("client_ip", r => r.ClientIp),
        EventField.Optional<RequestEvent>("user_agent", r => r.UserAgent),
        EventField.Optional<RequestEvent>("error_message", r => r.ErrorMessage),
        EventField.Optional<RequestEvent>("request_summary", r => r.RequestSummary),
    ];
}
