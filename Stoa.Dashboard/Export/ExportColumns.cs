using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Export;

/// <summary>What a cell holds: text, a whole number, or a UTC time (Unix milliseconds).</summary>
public enum CellKind { Text, Number, Time }

/// <summary>One column of a tabular export: its header (the API's field name), kind and value.</summary>
public sealed record ExportColumn<T>(string Header, CellKind Kind, Func<T, string?> Text, Func<T, long>? Number = null)
{
    public static ExportColumn<T> Str(string header, Func<T, string?> value) => new(header, CellKind.Text, value);
    public static ExportColumn<T> Int(string header, Func<T, long> value) => new(header, CellKind.Number, _ => null, value);
    public static ExportColumn<T> Time(string header, Func<T, long> value) => new(header, CellKind.Time, _ => null, value);
}

/// <summary>The columns of each layer, in the order of the contract's tables.</summary>
public static class ExportColumns
{
    public static readonly ExportColumn<RequestEvent>[] Requests =
    [
        ExportColumn<RequestEvent>.Time("timestamp", r => r.TimestampMs),
        ExportColumn<RequestEvent>.Str("request_id", r => r.RequestId),
        ExportColumn<RequestEvent>.Str("tenant_id", r => r.TenantId),
        ExportColumn<RequestEvent>.Str("consumer_id", r => r.ConsumerId),
        ExportColumn<RequestEvent>.Str("consumer_name", r => r.ConsumerName),
        ExportColumn<RequestEvent>.Str("api_id", r => r.ApiId),
        ExportColumn<RequestEvent>.Str("method", r => r.Method),
        ExportColumn<RequestEvent>.Str("path", r => r.Path),
        ExportColumn<RequestEvent>.Int("status_code", r => r.StatusCode),
        ExportColumn<RequestEvent>.Int("latency_ms", r => r.LatencyMs),
        ExportColumn<RequestEvent>.Int("request_size_bytes", r => r.RequestSizeBytes),
        ExportColumn<RequestEvent>.Int("response_size_bytes", r => r.ResponseSizeBytes),
        ExportColumn<RequestEvent>.Str("gateway_version", r => r.GatewayVersion),
        ExportColumn<RequestEvent>.Str("datacenter", r => r.Datacenter),
        ExportColumn<RequestEvent>.Str("key_id", r => r.KeyId),
        ExportColumn<RequestEvent>.Str("session_id", r => r.SessionId),
        ExportColumn<RequestEvent>.Str("user_id", r => r.UserId),
        ExportColumn<RequestEvent>.Str("client_ip", r => r.ClientIp),
        ExportColumn<RequestEvent>.Str("user_agent", r => r.UserAgent),
        ExportColumn<RequestEvent>.Str("error_message", r => r.ErrorMessage),
        ExportColumn<RequestEvent>.Str("request_summary", r => r.RequestSummary),
    ];

    public static readonly ExportColumn<SecurityEvent>[] Security =
    [
        ExportColumn<SecurityEvent>.Time("timestamp", s => s.TimestampMs),
        ExportColumn<SecurityEvent>.Str("event_id", s => s.EventId),
        ExportColumn<SecurityEvent>.Str("event_type", s => s.EventType),
        ExportColumn<SecurityEvent>.Str("tenant_id", s => s.TenantId),
        ExportColumn<SecurityEvent>.Str("actor", s => s.Actor),
        ExportColumn<SecurityEvent>.Str("target", s => s.Target),
        ExportColumn<SecurityEvent>.Str("outcome", s => s.Outcome),
        ExportColumn<SecurityEvent>.Str("details", s => s.Details),
    ];

    public static readonly ExportColumn<BusinessEvent>[] Business =
    [
        ExportColumn<BusinessEvent>.Time("timestamp", b => b.TimestampMs),
        ExportColumn<BusinessEvent>.Str("event_id", b => b.EventId),
        ExportColumn<BusinessEvent>.Str("tenant_id", b => b.TenantId),
        ExportColumn<BusinessEvent>.Str("action", b => b.Action),
        ExportColumn<BusinessEvent>.Str("resource_type", b => b.ResourceType),
        ExportColumn<BusinessEvent>.Str("resource_id", b => b.ResourceId),
        ExportColumn<BusinessEvent>.Str("actor_id", b => b.ActorId),
        ExportColumn<BusinessEvent>.Str("request_id", b => b.RequestId),
        ExportColumn<BusinessEvent>.Str("changes", b => b.Changes),
        ExportColumn<BusinessEvent>.Str("metadata", b => b.Metadata),
    ];
}
