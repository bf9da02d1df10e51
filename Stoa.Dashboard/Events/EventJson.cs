using System.Text.Json;

namespace Stoa.Dashboard.Events;

/// <summary>
/// Events as the API, the hub and the JSON exports print them: <c>event_type</c> first, then the
/// kind's fields in table order, then <c>seq</c>. Optional text fields are left out when empty;
/// JSON objects (and a business event's <c>request_id</c>) are written as null.
/// </summary>
public static class EventJson
{
    public static void Write(Utf8JsonWriter w, AuditEvent e)
    {
        w.WriteStartObject();
        w.WriteString("event_type", e.EventType);
        // Security events carry their type twice, as event_type and type: existing scripts read either.
        if (e.Kind == EventKind.Security) w.WriteString("type", e.EventType);
        foreach (var field in e.Fields)
        {
            if (field.Name == "event_type") continue;
            switch (field.Type)
            {
                case FieldType.Integer:
                    w.WriteNumber(field.Name, field.Number(e));
                    break;
                case FieldType.Time:
                    w.WriteString(field.Name, AuditTime.Print(field.Number(e)));
                    break;
                case FieldType.Json:
                    w.WritePropertyName(field.Name);
                    if (field.Text(e) is { } json) w.WriteRawValue(json, skipInputValidation: true);
                    else w.WriteNullValue();
                    break;
                default:
                    if (field.Text(e) is { } text) w.WriteString(field.Name, text);
                    else if (field.Absent == WhenAbsent.Null) w.WriteNull(field.Name);
                    break;
            }
        }
        w.WriteNumber("seq", e.Seq);
        w.WriteEndObject();
    }
}
