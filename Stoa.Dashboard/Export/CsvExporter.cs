using System.Globalization;

namespace Stoa.Dashboard.Export;

/// <summary>
/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line
/// break. The columns are the kind's fields, then <c>seq</c> (<see cref="ExportColumns"/>).
/// </summary>
public sealed class CsvExporter(IReadOnlyList<EventField> columns, TextWriter writer)
{
    public void WriteHeader() => WriteLine(columns.Select(c => c.Name));

    public void WriteRow(AuditEvent row)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0) writer.Write(',');
            var column = columns[i];
            switch (column.Type)
            {
                case FieldType.Integer:
                    writer.Write(column.Number(row).ToString(CultureInfo.InvariantCulture));
                    break;
                case FieldType.Time:
                    writer.Write(AuditTime.Print(column.Number(row)));
                    break;
                default:
                    WriteField(column.Text(row) is { } text ? SpreadsheetSafety.Neutralise(text) : "");
                    break;
            }
        }
        writer.Write("\r\n");
    }

    private void WriteLine(IEnumerable<string> fields)
    {
        writer.Write(string.Join(',', fields));
        writer.Write("\r\n");
    }

    private void WriteField(string text)
    {
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(text);
            return;
        }
        writer.Write('"');
        writer.Write(text.Replace("\"", "\"\""));
        writer.Write('"');
    }
}
