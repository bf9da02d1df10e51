using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>
/// The export page's downloads over the real endpoint: the page opens a ticket, the browser's request carries it, and the endpoint
/// reports under it what it sent, refused or was told to stop.
/// </summary>
public sealed class ExportDownloadTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-3);
    private const string Operator = "test-operator"; // the name StoaApp.OperatorAsync signs in with

    private ExportDownloads Downloads => app.Services.GetRequiredService<ExportDownloads>();

    private async Task<(HttpClient Client, string Tenant)> TenantWithRowsAsync(int rows)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        for (var b = 0; b < rows; b += 1000)
            await client.IngestAsync(tenant, Enumerable.Range(b, Math.Min(1000, rows - b)).Select(i => (JsonNode)Wire.Request($"r{i}", T0.AddMilliseconds(i))).ToArray());
        return (client, tenant);
    }

    /// <summary>The endpoint sets End as its last step, after the response has left: polled, not slept for.</summary>
    private static async Task<DownloadEnd> EndOfAsync(ExportDownload download)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (download.End is null && DateTime.UtcNow < deadline) await Task.Delay(20);
        return download.End ?? throw new TimeoutException("the download never ended");
    }

    [Fact]
    public async Task A_followed_download_reports_its_file_rows_and_bytes()
    {
        var (client, tenant) = await TenantWithRowsAsync(2500);
        var download = Downloads.Open(Operator);
        var response = await client.GetAsync($"/v1/audit/{tenant}/export/xlsx?download_ticket={download.Ticket}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        var end = await EndOfAsync(download);
        Assert.Equal(200, end.Status);
        Assert.Equal(response.Content.Headers.ContentDisposition!.FileName!.Trim('"'), end.Message);
        Assert.Equal(2500, end.Rows); // rows, whatever the format: the page's progress reads them, not lines
        Assert.Equal(bytes.Length, end.Bytes);
        Assert.Equal(2500, download.Progress.RowsSent);
        // The record says what was asked for; the page's ticket is not part of it.
        var recorded = Assert.Single(await app.ExportRecordsAsync(tenant), d => (string?)d["status"] == "completed");
        Assert.Equal("", (string?)recorded["query"]);
    }

    [Fact]
    public async Task An_operators_bundle_followed_under_a_ticket_still_proves_its_whole_window()
    {
        var (client, tenant) = await TenantWithRowsAsync(20);
        var download = Downloads.Open(Operator);
        var response = await client.GetAsync($"/v1/audit/{tenant}/export/bundle?download_ticket={download.Ticket}");
        using var zip = new System.IO.Compression.ZipArchive(await response.Content.ReadAsStreamAsync());
        Assert.NotNull(zip.GetEntry("context.ndjson")); // unfiltered: the ticket does not narrow what the bundle claims
        Assert.DoesNotContain("download_ticket", await new StreamReader(zip.GetEntry("manifest.json")!.Open()).ReadToEndAsync());
    }

    [Fact]
    public async Task A_cancelled_download_is_cut_off_not_ended_cleanly_and_recorded_as_aborted()
    {
        var (client, tenant) = await TenantWithRowsAsync(6000);
        var download = Downloads.Open(Operator);
        using var response = await client.GetAsync($"/v1/audit/{tenant}/export/csv?download_ticket={download.Ticket}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[100_000]; // more than one 64 KB chunk: the first has surely left
        var read = 0;
        while (read < buffer.Length) read += await body.ReadAsync(buffer.AsMemory(read));

        download.Cancel();
        // The connection is cut: a browser keeps no file that looks whole.
        await Assert.ThrowsAnyAsync<Exception>(async () => { while (await body.ReadAsync(buffer) > 0) { } });
        var end = await EndOfAsync(download);
        Assert.Equal(499, end.Status);
        Assert.True(end.Rows is > 0 and < 6000, end.ToString());
        Assert.Contains((await app.ExportRecordsAsync(tenant)), d => (string?)d["status"] == "aborted" && (long?)d["rows"] == end.Rows);
    }

    [Fact]
    public async Task A_busy_tenant_tells_the_download_when_to_try_again()
    {
        var (client, tenant) = await TenantWithRowsAsync(10);
        var gate = app.Services.GetRequiredService<ExportGate>();
        var download = Downloads.Open(Operator);
        await using (await gate.TryEnterAsync(tenant))
        await using (await gate.TryEnterAsync(tenant))
            Assert.Equal((HttpStatusCode)429, (await client.GetAsync($"/v1/audit/{tenant}/export/csv?download_ticket={download.Ticket}")).StatusCode);
        Assert.Equal(new DownloadEnd(429, "Two exports of this tenant are already running.", ExportGate.RetryAfterSeconds), download.End);
    }

    [Fact]
    public async Task A_ticket_is_followed_only_by_whoever_opened_it_and_only_once()
    {
        var (client, tenant) = await TenantWithRowsAsync(10);
        var someoneElses = Downloads.Open("another-operator");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/audit/{tenant}/export/csv?download_ticket={someoneElses.Ticket}")).StatusCode);
        Assert.False(someoneElses.Started); // the export is served, but nothing of it is reported under another's ticket
        Assert.Null(someoneElses.End);

        var mine = Downloads.Open(Operator);
        await client.GetAsync($"/v1/audit/{tenant}/export/csv?download_ticket={mine.Ticket}");
        var first = await EndOfAsync(mine);
        await client.GetAsync($"/v1/audit/{tenant}/export/json?download_ticket={mine.Ticket}");
        Assert.Same(first, mine.End); // a second request cannot rewrite the first one's report
    }
}
