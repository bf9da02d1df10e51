using System.Text.Json;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Api;

/// <summary>Events as the contract prints them: its field names, its time format, optional fields left out when empty.</summary>
public static class EventJson
{
    public static void Write(Utf8JsonWriter w, RequestEvent r)
    {
        w.WriteStartObject();
        w.WriteString("event_type", AuditVocabulary.RequestEventType);
        w.WriteString("timestamp", AuditTime.Print(r.TimestampMs));
        w.WriteString("request_id", r.RequestId);
        w.WriteString("tenant_id", r.TenantId);
        w.WriteString("consumer_id", r.ConsumerId);
        w.WriteString("consumer_name", r.ConsumerName);
        w.WriteString("api_id", r.ApiId);
        w.WriteString("method", r.Method);
        w.WriteString("path", r.Path);
        w.WriteNumber("status_code", r.StatusCode);
        w.WriteNumber("latency_ms", r.LatencyMs);
        w.WriteNumber("request_size_bytes", r.RequestSizeBytes);
        w.WriteNumber("response_size_bytes", r.ResponseSizeBytes);
        w.WriteString("gateway_version", r.GatewayVersion);
        w.WriteString("datacenter", r.Datacenter);
        Optional(w, "key_id", r.KeyId);
        Optional(w, "session_id", r.SessionId);
        Optional(w, "user_id", r.UserId);
        Optional(w, "client_ip", r.ClientIp);
        Optional(w, "user_agent", r.UserAgent);
        Optional(w, "error_message", r.ErrorMessage);
        Optional(w, "request_summary", r.RequestSummary);
        w.WriteEndObject();
    }

    /// <summary>Security events carry their type twice, as <c>event_type</c> and <c>type</c>: existing scripts read either.</summary>
    public static void Write(Utf8JsonWriter w, SecurityEvent s)
    {
        w.WriteStartObject();
        w.WriteString("event_id", s.EventId);
        w.WriteString("event_type", s.EventType);
        w.WriteString("type", s.EventType);
        w.WriteString("timestamp", AuditTime.Print(s.TimestampMs));
        w.WriteString("tenant_id", s.TenantId);
        w.WriteString("actor", s.Actor);
        w.WriteString("target", s.Target);
        w.WriteString("outcome", s.Outcome);
        RawObject(w, "details", s.Details);
        w.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter w, BusinessEvent b)
    {
        w.WriteStartObject();
        w.WriteString("event_type", AuditVocabulary.BusinessEventType);
        w.WriteString("event_id", b.EventId);
        w.WriteString("timestamp", AuditTime.Print(b.TimestampMs));
        w.WriteString("tenant_id", b.TenantId);
        w.WriteString("action", b.Action);
        w.WriteString("resource_type", b.ResourceType);
        w.WriteString("resource_id", b.ResourceId);
        w.WriteString("actor_id", b.ActorId);
        RawObject(w, "changes", b.Changes);
        RawObject(w, "metadata", b.Metadata);
        if (b.RequestId is null) w.WriteNull("request_id");
        else w.WriteString("request_id", b.RequestId);
        w.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static void RawObject(Utf8JsonWriter w, string name, string? json)
    {
        w.WritePropertyName(name);
        if (json is null) w.WriteNullValue();
        else w.WriteRawValue(json, skipInputValidation: true);
    }
}
