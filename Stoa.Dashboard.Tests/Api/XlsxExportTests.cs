using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Xml;
using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

public sealed class XlsxExportTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-3);

    private static XLWorkbook Open(byte[] bytes) => new(new MemoryStream(bytes));

    [Theory]
    [InlineData("requests")]
    [InlineData("security")]
    [InlineData("business")]
    public async Task Xlsx_reads_back_with_the_same_rows_and_real_types_as_the_csv(string layer)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var request = Wire.Request("r1", T0.AddMilliseconds(123), status: 503);
        request["user_agent"] = "agent, with \"quotes\"";
        await client.IngestAsync(tenant, request, Wire.Request("r2", T0.AddSeconds(1)), Wire.Security("s1", T0),
            Wire.Business(T0, resourceId: "9"));

        // The window ends before "now", where each export records itself as a security event.
        const string window = "to=2026-03-11T11:00:00Z";
        var csv = Csv.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/export/csv?layer={layer}&{window}"));
        var response = await client.GetAsync($"/v1/audit/{tenant}/export/xlsx?layer={layer}&{window}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".xlsx\"", response.Content.Headers.ContentDisposition?.ToString());
        using var book = Open(await response.Content.ReadAsByteArrayAsync());
        var sheet = book.Worksheet("data");

        var used = sheet.RangeUsed()!;
        Assert.Equal(csv.Count, used.RowCount());
        Assert.Equal(csv[0].Count, used.ColumnCount());
        for (var r = 0; r < csv.Count; r++)
            for (var c = 0; c < csv[0].Count; c++)
            {
                var cell = sheet.Cell(r + 1, c + 1);
                var header = csv[0][c];
                if (r > 0 && header == "timestamp")
                {
                    Assert.Equal(XLDataType.DateTime, cell.DataType);
                    Assert.Equal(csv[r][c], cell.GetDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
                    Assert.Contains("UTC", cell.Style.NumberFormat.Format);
                }
                else if (r > 0 && csv[r][c].Length > 0 && header is "status_code" or "latency_ms" or "request_size_bytes" or "response_size_bytes")
                {
                    Assert.Equal(XLDataType.Number, cell.DataType);
                    Assert.Equal(long.Parse(csv[r][c]), (long)cell.GetDouble());
                }
                else Assert.Equal(csv[r][c], cell.GetString());
            }

        Assert.Equal(1, sheet.SheetView.SplitRow); // frozen header
        Assert.True(sheet.AutoFilter.IsEnabled);
        Assert.True(sheet.Column(1).Width > 20, "timestamps get a set width");
    }

    [Theory]
    [MemberData(nameof(ExportTests.FormulaPayloads), MemberType = typeof(ExportTests))]
    public async Task Formula_payloads_come_out_inert_in_xlsx(string payload)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var request = Wire.Request("f1", T0);
        request["consumer_name"] = payload;
        request["error_message"] = payload;
        await client.IngestAsync(tenant, request);

        var bytes = await client.GetByteArrayAsync($"/v1/audit/{tenant}/export/xlsx");
        using var book = Open(bytes);
        var cell = book.Worksheet("data").Cell(2, 5);
        Assert.False(cell.HasFormula);
        // XML reads a bare carriage return back as a line feed; what matters is the apostrophe in front.
        Assert.Equal(SpreadsheetSafety.Neutralise(payload).Replace('\r', '\n'), cell.GetString().Replace('\r', '\n'));
        Assert.False(cell.GetString()[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n');
        // Not one formula anywhere in the file.
        using var zip = new ZipArchive(new MemoryStream(bytes));
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/")))
            Assert.DoesNotContain("<f>", new StreamReader(entry.Open()).ReadToEnd());
    }

    [Fact]
    public async Task Summary_sheet_names_the_export_and_fingerprints_the_data_as_its_csv()
    {
        var tenant = StoaApp.NewTenant();
        await app.OperatorAsync(tenant);
        var client = await app.ClientWithTokenAsync(Roles.Client, [tenant], ["cons_a"]);
        var ingest = await app.OperatorAsync(tenant);
        await ingest.IngestAsync(tenant, Wire.Request("a1", T0), Wire.Request("b1", T0, consumer: "cons_b"), Wire.Request("a2", T0.AddSeconds(2)));
        const string window = "from=2026-03-11T00:00:00Z&to=2026-03-11T12:00:00Z";

        var csv = await client.GetByteArrayAsync($"/v1/audit/{tenant}/export/csv?{window}");
        using var book = Open(await client.GetByteArrayAsync($"/v1/audit/{tenant}/export/xlsx?{window}"));
        var summary = book.Worksheet("summary").RangeUsed()!.Rows().ToDictionary(r => r.Cell(1).GetString(), r => r.Cell(2).GetString());

        Assert.Equal(tenant, summary["tenant"]);
        Assert.Equal("cons_a", summary["consumers"]);
        Assert.Equal("2026-03-11T00:00:00.000Z", summary["from"]);
        Assert.Equal("2026-03-11T12:00:00.000Z", summary["to"]);
        Assert.Equal("2", summary["rows"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(csv)), summary["sha256 of the data"]);
    }

    [Fact]
    public async Task Rows_past_a_sheets_limit_continue_on_the_next_sheet_with_its_own_header()
    {
        var rows = Enumerable.Range(0, 12).Select(i => Make.Request(T0.AddSeconds(i), "cons_a")).ToAsyncEnumerable();
        using var output = new MemoryStream();
        var header = new ExportHeader("t1", "requests", null, TimeWindow.All, 0, "logs");

        var outcome = await XlsxExporter.WriteAsync(output, header, rows, ExportColumns.Of(EventKind.Request), CancellationToken.None, rowsPerSheet: 5);

        Assert.Equal(12, outcome.Rows);
        using var book = Open(output.ToArray());
        Assert.Equal(["data", "data 2", "data 3", "summary"], book.Worksheets.Select(w => w.Name));
        Assert.Equal([5, 5, 5], book.Worksheets.Take(3).Select(w => w.RangeUsed()!.RowCount()));
        Assert.All(book.Worksheets.Take(3), w => Assert.Equal("timestamp", w.Cell(1, 1).GetString()));
        Assert.Equal(12, book.Worksheets.Take(3).Sum(w => w.RangeUsed()!.RowCount() - 1));
    }

    [Fact]
    public async Task The_first_sheet_holds_exactly_excels_1048576_rows()
    {
        var columns = new[] { EventField.Seq };
        var rows = Enumerable.Repeat<AuditEvent>(Make.Request(T0), XlsxExporter.ExcelMaxRows).ToAsyncEnumerable();
        var path = Path.GetTempFileName();
        try
        {
            await using (var file = File.Create(path))
                await XlsxExporter.WriteAsync(file, new ExportHeader("t1", "requests", null, TimeWindow.All, 0, "logs"), rows, columns, CancellationToken.None);

            using var zip = ZipFile.OpenRead(path);
            Assert.Equal(XlsxExporter.ExcelMaxRows, CountRows(zip, "xl/worksheets/sheet1.xml"));
            Assert.Equal(2, CountRows(zip, "xl/worksheets/sheet2.xml")); // its header and the last row
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int CountRows(ZipArchive zip, string entry)
    {
        using var reader = XmlReader.Create(zip.GetEntry(entry)!.Open());
        var rows = 0;
        while (reader.Read())
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "row") rows++;
        return rows;
    }

    [Fact]
    public async Task A_third_concurrent_export_of_a_tenant_gets_429_with_retry_after()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("g1", T0));
        var gate = app.Services.GetRequiredService<ExportGate>();
        await using (await gate.TryEnterAsync(tenant))
        await using (await gate.TryEnterAsync(tenant))
        {
            var response = await client.GetAsync($"/v1/audit/{tenant}/export/csv");
            await response.ProblemAsync(429);
            Assert.Equal(TimeSpan.FromSeconds(ExportGate.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            // Another tenant is not held up.
            var other = StoaApp.NewTenant();
            var otherClient = await app.OperatorAsync(other);
            await otherClient.IngestAsync(other, Wire.Request("h1", T0));
            Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync($"/v1/audit/{other}/export/csv")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/audit/{tenant}/export/csv")).StatusCode);
        Assert.Equal(0, await gate.RunningAsync(tenant));
    }
}
