using Stoa.Dashboard.Export;
using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Components.Controls;

/// <summary>Every field of an event, named as the API names it, the time in the view's zone.</summary>
public static class EventFields
{
    public static List<(string Name, string Value)> Of(TimelineEntry entry, DashboardView view) => entry.Event switch
    {
        Storage.RequestEvent r => Rows(ExportColumns.Requests, r, view),
        Storage.SecurityEvent s => Rows(ExportColumns.Security, s, view),
        Storage.BusinessEvent b => Rows(ExportColumns.Business, b, view),
        _ => [],
    };

    private static List<(string, string)> Rows<T>(ExportColumn<T>[] columns, T row, DashboardView view) =>
        columns.Select(c => (c.Header, c.Kind switch
            {
                CellKind.Time => view.Time(c.Number!(row)),
                CellKind.Number => c.Number!(row).ToString(),
                _ => c.Text(row) ?? "",
            }))
            .Where(f => f.Item2.Length > 0)
            .ToList();

    /// <summary>A one-line summary for the stream.</summary>
    public static string Summary(TimelineEntry entry) => entry.Event switch
    {
        Storage.RequestEvent r => $"{r.Method} {r.Path} → {r.StatusCode}",
        Storage.SecurityEvent s => $"{s.EventType}: {s.Actor} → {s.Target} ({s.Outcome})",
        Storage.BusinessEvent b => $"{b.Action} {b.ResourceType} {b.ResourceId}",
        _ => "",
    };

    /// <summary>How a stream row stands out: errors, security events, business changes.</summary>
    public static string RowClass(TimelineEntry entry) => entry switch
    {
        { Request.StatusCode: >= 400 } => "error-row",
        { Kind: TimelineKind.Security } => "security-row",
        { Kind: TimelineKind.Business } => "business-row",
        _ => "",
    };

    public static string Who(TimelineEntry entry) => entry.Event switch
    {
        Storage.RequestEvent r => r.ConsumerId,
        Storage.SecurityEvent s => s.Actor,
        Storage.BusinessEvent b => b.ActorId,
        _ => "",
    };
}
