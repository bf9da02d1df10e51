using SpreadCheetah;
using SpreadCheetah.Styling;
using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Export;

/// <summary>The weekly review as an XLSX for the client's records: one sheet a section, UTC.</summary>
public static class ReviewReport
{
    public static async Task WriteXlsxAsync(Stream destination, WeeklyReview review, CancellationToken ct)
    {
        var pump = new HashingStream(destination);
        await using (var spreadsheet = await Spreadsheet.CreateNewAsync(pump, cancellationToken: ct))
        {
            var bold = spreadsheet.AddStyle(new Style { Font = { Bold = true } });
            async Task Sheet(string name, string[] header, IEnumerable<object?[]> rows)
            {
                await spreadsheet.StartWorksheetAsync(name, null, ct);
                await spreadsheet.AddRowAsync(header.Select(h => new Cell(h, bold)).ToArray(), ct);
                foreach (var row in rows)
                    await spreadsheet.AddRowAsync(row.Select(v => v switch
                    {
                        long n => new Cell(n),
                        double d => new Cell(d),
                        string s => new Cell(SpreadsheetSafety.Neutralise(s)),
                        _ => new Cell((string?)null),
                    }).ToArray(), ct);
                await pump.DrainAsync(ct);
            }

            await Sheet("week", ["", ""],
            [
                ["tenant", review.TenantId],
                ["week (UTC, from Monday)", $"{AuditTime.Print(review.WeekStartMs)} to {AuditTime.Print(review.WeekEndMs)}"],
                ["reviewed by", review.Marks.Count == 0 ? "not reviewed" : string.Join(", ", review.Marks.Select(m => $"{m.ReviewedBy} at {AuditTime.Print(m.ReviewedAtMs)}"))],
            ]);
            await Sheet("errors by day", ["day", "requests", "errors", "error rate", "5xx", "429"],
                review.Trend.Days.Select(d => new object?[] { d.Date, d.Requests, d.Errors, d.ErrorRate, d.ServerErrors, d.RateLimited }));
            await Sheet("security", ["type", "this week", "week before", "change"],
                review.Trend.Security.Select(s => new object?[] { s.Type, s.ThisWeek, s.WeekBefore, s.Change }));
            await Sheet("new consumers", ["consumer", "name", "first seen", "requests"],
                review.NewConsumers.Select(c => new object?[] { c.ConsumerId, c.ConsumerName, AuditTime.Print(c.FirstDayMs), c.Requests }));
            await Sheet("findings", ["finding", "who", "figures"],
                review.InTrouble.Select(c => new object?[] { "error rate over the threshold", c.ConsumerId, $"{c.Mix.ErrorRate:P1} of {c.Mix.Requests:N0} requests" })
                    .Concat(review.Runaways.Select(j => new object?[] { "runaway job", j.ConsumerId, $"{j.Requests:N0} requests in {j.Hours:0.0} h from {AuditTime.Print(j.StartMs)}" }))
                    .Concat(review.BruteForce.Select(b => new object?[] { "brute force", b.Type, $"{b.Count:N0} failed authentications" })));
            await spreadsheet.FinishAsync(ct);
        }
        await pump.DrainAsync(ct);
    }
}
