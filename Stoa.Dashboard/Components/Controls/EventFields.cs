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
