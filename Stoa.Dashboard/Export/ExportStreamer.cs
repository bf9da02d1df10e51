using System.Text;
using System.Text.Json;

namespace Stoa.Dashboard.Export;

/// <summary>What an export wrote: rows, bytes, and the SHA-256 of the file (null for one cut short).</summary>
public sealed record ExportOutcome(long Rows, long Bytes, string? Sha256);

/// <summary>The header of a JSON export: <c>{"tenant_id", "from", "to", "exported_at", "logs"|"events": [...]}</c>.</summary>
public sealed record ExportHeader(string TenantId, string Layer, IReadOnlyCollection<string>? Consumers, TimeWindow Window,
    long ExportedAtMs, string ArrayName);

/// <summary>Streams rows from the store to the response in the chosen format, one chunk in memory at a time.</summary>
public static class ExportStreamer
{
    public static async Task<ExportOutcome> WriteAsync(Stream destination, ExportFormat format, ExportHeader header,
        IAsyncEnumerable<AuditEvent> rows, IReadOnlyList<EventField> columns, ExportProgress progress, CancellationToken ct)
    {
        if (format == ExportFormat.Xlsx) return await XlsxExporter.WriteAsync(destination, header, rows, columns, ct, progress: progress);
        using var body = new ChunkedBody(destination, progress);
        var count = format switch
        {
            ExportFormat.Csv => await WriteCsvAsync(body, rows, columns, progress, ct),
            ExportFormat.Json => await WriteJsonAsync(body, header, rows, progress, ct),
            ExportFormat.Ndjson => await WriteNdjsonAsync(body, rows, progress, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a text format."),
        };
        await body.SendAsync(ct);
        return new ExportOutcome(count, body.BytesSent, body.Sha256Hex());
    }

    private static async Task<long> WriteCsvAsync(ChunkedBody body, IAsyncEnumerable<AuditEvent> rows, IReadOnlyList<EventField> columns,
        ExportProgress progress, CancellationToken ct)
    {
        await using var text = new StreamWriter(body.Buffer, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        var csv = new CsvExporter(columns, text);
        csv.WriteHeader();
        long count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            csv.WriteRow(row);
            if (++count % 256 == 0)
            {
                await text.FlushAsync(ct);
                progress.RowsWritten = count;
                await body.SendIfFullAsync(ct);
            }
        }
        await text.FlushAsync(ct);
        progress.RowsWritten = count;
        return count;
    }

    private static async Task<long> WriteJsonAsync(ChunkedBody body, ExportHeader header, IAsyncEnumerable<AuditEvent> rows,
        ExportProgress progress, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(body.Buffer);
        json.WriteStartObject();
        json.WriteString("tenant_id", header.TenantId);
        WriteTimeOrNull(json, "from", header.Window.FromMs);
        WriteTimeOrNull(json, "to", header.Window.ToMs);
        json.WriteString("exported_at", AuditTime.Print(header.ExportedAtMs));
        json.WriteStartArray(header.ArrayName);
        long count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            EventJson.Write(json, row);
            if (++count % 256 == 0)
            {
                await json.FlushAsync(ct);
                progress.RowsWritten = count;
                await body.SendIfFullAsync(ct);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
        progress.RowsWritten = count;
        return count;
    }

    private static async Task<long> WriteNdjsonAsync(ChunkedBody body, IAsyncEnumerable<AuditEvent> rows, ExportProgress progress,
        CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(body.Buffer);
        long count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            EventJson.Write(json, row);
            await json.FlushAsync(ct);
            json.Reset(); // one document per line
            body.Buffer.WriteByte((byte)'\n');
            progress.RowsWritten = ++count;
            if (count % 256 == 0) await body.SendIfFullAsync(ct);
        }
        return count;
    }

    private static void WriteTimeOrNull(Utf8JsonWriter json, string name, long? ms)
    {
        if (ms is { } value) json.WriteString(name, AuditTime.Print(value));
        else json.WriteNull(name);
    }
}
