namespace Stoa.Dashboard.Components.Controls;

/// <summary>How the dashboard shows an event: every field as the API names it (the time in the view's zone), and how its row stands out.</summary>
public static class EventFields
{
    /// <summary>The event's fields in table order, then seq; empty optional fields left out.</summary>
    public static List<(string Name, string Value)> Of(AuditEvent e, Model.DashboardView view) =>
        e.Fields.Append(EventField.Seq)
            .Select(f => (f.Name, f.Type switch
            {
                FieldType.Time => view.Time(f.Number(e)),
                FieldType.Integer => f.Number(e).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => f.Text(e) ?? "",
            }))
            .Where(f => f.Item2.Length > 0)
            .ToList();

    /// <summary>
    /// A JSON object (a security event's details) as key/value pairs to show as chips: text as it is
    /// (no <c>\u0026</c> escapes), anything else as compact JSON. Not an object: one pair with no key.
    /// </summary>
    public static List<(string? Key, string Value)> Pairs(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object) return [(null, json)];
            return document.RootElement.EnumerateObject()
                .Select(p => ((string?)p.Name, p.Value.ValueKind == System.Text.Json.JsonValueKind.String ? p.Value.GetString()! : Compact(p.Value)))
                .ToList();
        }
        catch (System.Text.Json.JsonException)
        {
            return [(null, json)];
        }
    }

    private static string Compact(System.Text.Json.JsonElement value) => System.Text.Json.JsonSerializer.Serialize(value,
        new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>How a stream row stands out: errors, security events, business changes.</summary>
    public static string RowClass(AuditEvent e) => e switch
    {
        // Server errors, refusals (401/403, 429) and other client errors each have their own colour.
        RequestEvent { StatusCode: >= 500 } => "error-row server-error-row",
        RequestEvent { StatusCode: 401 or 403 or 429 } => "error-row refused-row",
        RequestEvent { StatusCode: >= 400 } => "error-row client-error-row",
        { Kind: EventKind.Security } => "security-row",
        { Kind: EventKind.Business } => "business-row",
        _ => "",
    };
}
