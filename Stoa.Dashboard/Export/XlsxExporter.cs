using System.Text;
using SpreadCheetah;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace Stoa.Dashboard.Export;

/// <summary>
/// XLSX written as a stream with SpreadCheetah: rows go to the response as they are read, so a
/// million-row export holds one buffer, not the workbook (ClosedXML builds the whole workbook in
/// memory: about 1.5 GB for 100,000 rows here). The data sheets have a frozen, filterable header,
/// typed cells (times as UTC date-times, numbers as numbers) and set column widths; past Excel's
/// 1,048,576 rows a sheet, rows continue on "data 2", "data 3"… A last "summary" sheet names the
/// tenant, consumers, window, time of export, row counts and the SHA-256 of the data.
/// </summary>
public static class XlsxExporter
{
    /// <summary>Excel's limit of rows a sheet, header included.</summary>
    public const int ExcelMaxRows = 1_048_576;

    public static async Task<ExportOutcome> WriteAsync(Stream destination, ExportHeader header, IAsyncEnumerable<AuditEvent> rows,
        IReadOnlyList<EventField> columns, CancellationToken ct, int rowsPerSheet = ExcelMaxRows, ExportProgress? progress = null)
    {
        var file = new HashingStream(destination);
        // The data's fingerprint: the SHA-256 of the same rows as the CSV export renders them, so an
        // XLSX and a CSV of one export can be checked against each other.
        await using var dataHash = new HashingStream(null);
        await using var csvText = new StreamWriter(dataHash, new UTF8Encoding(false), 64 * 1024);
        var csv = new CsvExporter(columns, csvText);
        csv.WriteHeader();

        await using var spreadsheet = await Spreadsheet.CreateNewAsync(file, new SpreadCheetahOptions { BufferSize = 64 * 1024 }, ct);
        var headerStyle = spreadsheet.AddStyle(new Style { Font = { Bold = true } });
        var timeStyle = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd hh:mm:ss.000 \"UTC\"") });
        var headerCells = columns.Select(c => new Cell(c.Name, headerStyle)).ToArray();
        var cells = new Cell[columns.Count];

        long count = 0;
        var sheets = 0;
        var rowsInSheet = rowsPerSheet; // forces the first sheet
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (rowsInSheet == rowsPerSheet)
            {
                sheets++;
                await spreadsheet.StartWorksheetAsync(sheets == 1 ? "data" : $"data {sheets}", SheetOptions(columns), ct);
                await spreadsheet.AddRowAsync(headerCells, ct);
                rowsInSheet = 1;
            }
            for (var i = 0; i < columns.Count; i++) cells[i] = ToCell(columns[i], row, timeStyle);
            await spreadsheet.AddRowAsync(cells, ct);
            csv.WriteRow(row);
            rowsInSheet++;
            count++;
            if (file.Pending >= 64 * 1024)
            {
                await file.DrainAsync(ct);
                progress?.Sent(count, file.BytesWritten); // rows given to the workbook; the zip holds back a little of them
            }
        }
        if (sheets == 0)
        {
            sheets = 1;
            await spreadsheet.StartWorksheetAsync("data", SheetOptions(columns), ct);
            await spreadsheet.AddRowAsync(headerCells, ct);
        }
        await csvText.FlushAsync(ct);

        var summaryOptions = new WorksheetOptions();
        summaryOptions.Column(1).Width = 22;
        summaryOptions.Column(2).Width = 80;
        await spreadsheet.StartWorksheetAsync("summary", summaryOptions, ct);
        foreach (var (name, value) in Summary(header, count, sheets, dataHash.Sha256Hex()))
            await spreadsheet.AddRowAsync([new Cell(name, headerStyle), new Cell(value)], ct);
        await spreadsheet.FinishAsync(ct);
        await file.DrainAsync(ct);
        progress?.Sent(count, file.BytesWritten);
        return new ExportOutcome(count, file.BytesWritten, file.Sha256Hex());
    }

    private static Cell ToCell(EventField column, AuditEvent row, StyleId timeStyle) => column.Type switch
    {
        FieldType.Integer => new Cell(column.Number(row)),
        FieldType.Time => new Cell(DateTime.UnixEpoch.AddMilliseconds(column.Number(row)), timeStyle),
        // Text cells are always strings, never formulas; the apostrophe keeps them inert once re-saved as CSV too.
        _ => column.Text(row) is { } text ? new Cell(SpreadsheetSafety.Neutralise(text)) : new Cell((string?)null),
    };

    private static WorksheetOptions SheetOptions(IReadOnlyList<EventField> columns)
    {
        var options = new WorksheetOptions
        {
            FrozenRows = 1,
            AutoFilter = new AutoFilterOptions($"A1:{ColumnLetter(columns.Count)}1"),
        };
        for (var i = 0; i < columns.Count; i++) options.Column(i + 1).Width = Width(columns[i]);
        return options;
    }

    /// <summary>Widths set by what a column holds (font measurement would need libgdiplus on Linux).</summary>
    private static double Width(EventField column) => column.Type switch
    {
        FieldType.Time => 26,
        FieldType.Integer => Math.Max(10, column.Name.Length + 2),
        FieldType.Json => 60,
        _ => column.Name switch
        {
            "path" or "user_agent" or "request_summary" or "error_message" => 40,
            _ => Math.Max(16, column.Name.Length + 2),
        },
    };

    private static IEnumerable<(string, string)> Summary(ExportHeader header, long rows, int sheets, string dataSha256)
    {
        yield return ("tenant", header.TenantId);
        yield return ("layer", header.Layer);
        yield return ("consumers", header.Consumers is { Count: > 0 } c ? string.Join(", ", c) : "all");
        yield return ("from", header.Window.FromMs is { } f ? AuditTime.Print(f) : "the first event");
        yield return ("to", header.Window.ToMs is { } t ? AuditTime.Print(t) : AuditTime.Print(header.ExportedAtMs));
        yield return ("generated at", AuditTime.Print(header.ExportedAtMs));
        yield return ("rows", rows.ToString());
        yield return ("data sheets", sheets.ToString());
        yield return ("sha256 of the data", dataSha256);
        yield return ("about the sha256", "SHA-256 of the rows rendered as this export's CSV (RFC 4180, header included, UTF-8)");
    }

    private static string ColumnLetter(int number)
    {
        var letters = "";
        for (; number > 0; number = (number - 1) / 26) letters = (char)('A' + (number - 1) % 26) + letters;
        return letters;
    }
}
