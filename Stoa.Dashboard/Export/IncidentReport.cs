using System.Text;
using System.Text.Encodings.Web;
using SpreadCheetah;
using Stoa.Dashboard.Model;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace Stoa.Dashboard.Export;

/// <summary>
/// An incident as a report for the client or the regulator: what it is, its window, who opened and
/// closed it, the GDPR clock for a breach, and its whole timeline, as XLSX (two sheets) or as a
/// printable HTML page. Times are UTC.
/// </summary>
public static class IncidentReport
{
    public static async Task WriteXlsxAsync(Stream destination, IncidentFile file, long nowMs, CancellationToken ct)
    {
        var pump = new HashingStream(destination);
        await using (var spreadsheet = await Spreadsheet.CreateNewAsync(pump, cancellationToken: ct))
        {
            var bold = spreadsheet.AddStyle(new Style { Font = { Bold = true } });
            var summary = new WorksheetOptions();
            summary.Column(1).Width = 24;
            summary.Column(2).Width = 90;
            await spreadsheet.StartWorksheetAsync("incident", summary, ct);
            foreach (var (name, value) in Facts(file, nowMs))
                await spreadsheet.AddRowAsync([new Cell(name, bold), new Cell(SpreadsheetSafety.Neutralise(value))], ct);
            var timeline = new WorksheetOptions { FrozenRows = 1 };
            timeline.Column(1).Width = 26;
            timeline.Column(2).Width = 24;
            timeline.Column(3).Width = 12;
            timeline.Column(4).Width = 90;
            timeline.Column(5).Width = 40;
            await spreadsheet.StartWorksheetAsync("timeline", timeline, ct);
            await spreadsheet.AddRowAsync([new Cell("time (UTC)", bold), new Cell("who", bold), new Cell("what", bold), new Cell("text", bold), new Cell("link", bold)], ct);
            foreach (var e in file.Entries)
            {
                await spreadsheet.AddRowAsync([new Cell(AuditTime.Print(e.AtMs)), new Cell(SpreadsheetSafety.Neutralise(e.Author)), new Cell(e.Kind),
                    new Cell(SpreadsheetSafety.Neutralise(e.Text)), new Cell(e.Link is null ? null : SpreadsheetSafety.Neutralise(e.Link))], ct);
                await pump.DrainAsync(ct);
            }
            await spreadsheet.FinishAsync(ct);
        }
        await pump.DrainAsync(ct);
    }

    public static string Html(IncidentFile file, long nowMs)
    {
        var h = HtmlEncoder.Default;
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(h.Encode($"Incident {file.Incident.Id}: {file.Incident.Title}"))
            .Append("</title><style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;width:100%}" +
                "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}" +
                ".mono{font-family:monospace}@media print{a{color:inherit}}</style></head><body>")
            .Append("<h1>").Append(h.Encode(file.Incident.Title)).Append("</h1><table id=\"facts\">");
        foreach (var (name, value) in Facts(file, nowMs))
            html.Append("<tr><th>").Append(h.Encode(name)).Append("</th><td>").Append(h.Encode(value)).Append("</td></tr>");
        html.Append("</table><h2>Timeline</h2><table id=\"timeline\"><tr><th>Time (UTC)</th><th>Who</th><th>What</th><th>Text</th></tr>");
        foreach (var e in file.Entries)
            html.Append("<tr><td class=\"mono\">").Append(h.Encode(AuditTime.Print(e.AtMs))).Append("</td><td>").Append(h.Encode(e.Author))
                .Append("</td><td>").Append(h.Encode(e.Kind)).Append("</td><td style=\"white-space:pre-wrap\">").Append(h.Encode(e.Text))
                .Append(e.Link is null ? "" : $" <span class=\"mono\">({h.Encode(e.Link)})</span>").Append("</td></tr>");
        return html.Append("</table><p>Produced by Stoa at ").Append(h.Encode(AuditTime.Print(nowMs))).Append(" UTC.</p></body></html>").ToString();
    }

    private static IEnumerable<(string, string)> Facts(IncidentFile file, long nowMs)
    {
        var i = file.Incident;
        yield return ("incident", i.Id.ToString());
        yield return ("title", i.Title);
        yield return ("tenant", i.TenantId);
        yield return ("playbook", i.Playbook.Replace('_', ' '));
        yield return ("status", i.ClosedAtMs is null ? "open" : "closed");
        yield return ("window", $"{AuditTime.Print(i.WindowFromMs)} to {AuditTime.Print(i.WindowToMs)}");
        yield return ("opened", $"{AuditTime.Print(i.OpenedAtMs)} by {i.OpenedBy}");
        if (i.DetectedAtMs is { } detected)
        {
            yield return ("breach detected", AuditTime.Print(detected));
            yield return ("notify by (GDPR Art. 33)", AuditTime.Print(detected + (long)IncidentFile.NotificationDeadline.TotalMilliseconds));
        }
        if (i.ClosedAtMs is { } closed) yield return ("closed", $"{AuditTime.Print(closed)} by {i.ClosedBy}");
        yield return ("report produced", AuditTime.Print(nowMs));
    }
}
