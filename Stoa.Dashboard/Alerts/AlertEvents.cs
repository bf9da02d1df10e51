using System.Text.Json;

namespace Stoa.Dashboard.Alerts;

/// <summary>Reading an <c>alert_fired</c> event back: the destinations it goes to and its one line.</summary>
public static class AlertEvents
{
    public static bool IsAlert(AuditEvent e) => e is SecurityEvent { Type: AuditVocabulary.AlertEventType };

    /// <summary>Whether the alert's rule named the destination to notify.</summary>
    public static bool Notifies(AuditEvent e, long destinationId) =>
        IsAlert(e) && Detail(e, "notify") is { ValueKind: JsonValueKind.Array } ids && ids.EnumerateArray().Any(id => id.TryGetInt64(out var v) && v == destinationId);

    /// <summary>The alert's line ("Failed sign-ins: 20 failed sign-ins for target key_live_4f2a within 5 min").</summary>
    public static string Summary(AuditEvent e) => Detail(e, "summary") is { ValueKind: JsonValueKind.String } s ? s.GetString()! : e.Summary;

    private static JsonElement? Detail(AuditEvent e, string name)
    {
        if (e is not SecurityEvent { Details: { } details }) return null;
        using var document = JsonDocument.Parse(details);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
    }
}
