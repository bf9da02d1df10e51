using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Retention;

/// <summary>
/// The retention job over the real app and store with a test clock: days past the hot window move
/// to archive files and out of the hot tables, the files hold exactly those rows, and everything
/// that read them before (exports, stats, the chain) still reads the same.
/// </summary>
public sealed class ArchiveTests : IAsyncLifetime
{
    private readonly StoaApp _app = new();
    private static readonly DateTimeOffset Old = StoaApp.Epoch.AddDays(-100); // past the default 90 hot days
    private static readonly DateTimeOffset Recent = StoaApp.Epoch.AddDays(-2);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IDbContextFactory<AuditDbContext> Store => _app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
    private ArchiveDirectory Archive => _app.Services.GetRequiredService<ArchiveDirectory>();

    /// <summary>Three old days of every kind (with two requests in the same millisecond), and a recent day.</summary>
    private async Task<(HttpClient Operator, string Tenant)> TenantWithHistoryAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        var events = new List<JsonNode>();
        for (var day = 0; day < 3; day++)
        {
            var at = Old.AddDays(day);
            for (var i = 0; i < 40; i++)
                events.Add(Wire.Request($"r{day}-{i}", at.AddMinutes(i * 17), consumer: i % 3 == 0 ? "cons_b" : "cons_a", status: i % 7 == 0 ? 500 : 200,
                    path: i % 2 == 0 ? "/api/items" : "/api/orders"));
            events.Add(Wire.Request($"same-{day}", at.AddMinutes(5)));
            events.Add(Wire.Security($"s{day}", at.AddHours(2), actor: "cons_b"));
            events.Add(Wire.Business(at.AddHours(3), actor: "cons_a", resourceId: $"doc-{day}"));
        }
        // A late arrival: an old day's event sent after the recent ones (a higher seq, an old time).
        for (var i = 0; i < 10; i++) events.Add(Wire.Request($"new{i}", Recent.AddMinutes(i)));
        await client.IngestAsync(tenant, [.. events]);
        await client.IngestAsync(tenant, Wire.Request("late", Old.AddDays(1).AddMinutes(3)));
        return (client, tenant);
    }

    private Task<List<RetentionRun>?> RunAsync(string tenant) => _app.Services.GetRequiredService<RetentionService>().RunOnceAsync(tenant);

    [Fact]
    public async Task Days_past_the_hot_window_leave_the_store_for_archive_files_holding_exactly_those_rows()
    {
        var (_, tenant) = await TenantWithHistoryAsync();
        var cutoff = StoaApp.Epoch.AddDays(-90).Date;
        List<string> leaving;
        await using (var db = await Store.CreateDbContextAsync())
            leaving = (await db.Requests.Where(e => e.TenantId == tenant && e.TimestampMs < new DateTimeOffset(cutoff).ToUnixTimeMilliseconds())
                .OrderBy(e => e.TimestampMs).ThenBy(e => e.Seq).ToListAsync())
                .Select(e => Dashboard.Events.CanonicalEvent.ToText(e)).ToList();

        var run = Assert.Single((await RunAsync(tenant))!);

        Assert.Equal(9, run.Archived.Count); // three days of three kinds
        await using var after = await Store.CreateDbContextAsync();
        Assert.False(await after.Requests.AnyAsync(e => e.TenantId == tenant && e.TimestampMs < new DateTimeOffset(cutoff).ToUnixTimeMilliseconds()));
        Assert.False(await after.SecurityEvents.AnyAsync(e => e.TenantId == tenant && e.TimestampMs < new DateTimeOffset(cutoff).ToUnixTimeMilliseconds()));
        // The run itself is on the record, in the tenant's chain.
        Assert.True(await after.SecurityEvents.AnyAsync(e => e.TenantId == tenant && e.Actor == Archiver.Actor && e.Details!.Contains("retention_run")));
        Assert.Equal(10, await after.Requests.CountAsync(e => e.TenantId == tenant));
        var archived = new List<string>();
        foreach (var file in run.Archived.Where(f => f.Layer == "requests").OrderBy(f => f.DayMs))
        {
            await using var gzip = new GZipStream(File.OpenRead(Archive.PathOf(file)), CompressionMode.Decompress);
            using var text = new StreamReader(gzip, Encoding.UTF8);
            var lines = (await text.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(file.Rows, lines.Length);
            archived.AddRange(lines);
            Assert.Equal(file.Sha256, (await ArchiveFormat.HashAsync(Archive.PathOf(file), default)).Sha256);
            Assert.True(File.Exists(ArchiveManifest.PathOf(Archive.PathOf(file))));
        }
        Assert.Equal(leaving, archived); // byte for byte, in time order
        Assert.Contains(archived, line => line.Contains("\"request_id\":\"late\""));
    }

    [Fact]
    public async Task Exports_including_archived_days_equal_the_export_before_archiving_and_stats_keep_their_totals()
    {
        var (client, tenant) = await TenantWithHistoryAsync();
        var window = $"from={Wire.Time(Old.AddDays(-1))}&to={Wire.Time(StoaApp.Epoch)}";
        var queries = new[]
        {
            $"layer=requests&{window}", $"layer=requests&{window}&consumer_id=cons_b&path_prefix=/api/ord",
            $"layer=security&{window}", $"layer=business&{window}",
        };
        var before = new Dictionary<string, string>();
        foreach (var query in queries)
            foreach (var format in new[] { "csv", "ndjson" })
                before[$"{format}?{query}"] = await client.GetStringAsync($"/v1/audit/{tenant}/export/{format}?{query}");
        var statsBefore = await client.GetStringAsync($"/v1/quotas/{tenant}/stats?{window}");

        await RunAsync(tenant);

        foreach (var (request, expected) in before)
            Assert.Equal(expected, await client.GetStringAsync($"/v1/audit/{tenant}/export/{request}&archived=include"));
        Assert.Equal(statsBefore, await client.GetStringAsync($"/v1/quotas/{tenant}/stats?{window}"));

        // Without archived=include the answer is the hot part, and says which days it leaves out.
        var hotOnly = await client.GetAsync($"/v1/audit/{tenant}/export/csv?layer=requests&{window}");
        Assert.Equal($"{Old:yyyy-MM-dd}/{Old.AddDays(2):yyyy-MM-dd}", hotOnly.Headers.GetValues(ArchivedDays.Header).Single());
        Assert.Equal(11, (await hotOnly.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + 10
        var page = await client.GetAsync($"/v1/audit/{tenant}?{window}");
        Assert.True(page.Headers.Contains(ArchivedDays.Header));
        var recentPage = await client.GetAsync($"/v1/audit/{tenant}?from={Wire.Time(Recent.AddDays(-1))}");
        Assert.False(recentPage.Headers.Contains(ArchivedDays.Header));
    }

    [Fact]
    public async Task A_client_export_from_the_archive_holds_only_its_own_consumers_rows()
    {
        var (_, tenant) = await TenantWithHistoryAsync();
        await RunAsync(tenant);
        var clientB = await _app.ClientWithTokenAsync("client", [tenant], ["cons_b"]);
        var csv = await clientB.GetStringAsync($"/v1/audit/{tenant}/export/csv?layer=requests&from={Wire.Time(Old.AddDays(-1))}&archived=include");
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(3 * 14, rows.Count); // i % 3 == 0 of 40, three days
        Assert.All(rows, r => Assert.Contains(",cons_b,", r));
        var security = await clientB.GetStringAsync($"/v1/audit/{tenant}/export/ndjson?layer=security&from={Wire.Time(Old.AddDays(-1))}&archived=include");
        Assert.Equal(3, security.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(HttpStatusCode.Forbidden, (await clientB.GetAsync($"/v1/audit/{tenant}/retention")).StatusCode);

        // A client is told which days of its window are past the hot window, from the policy alone, not
        // which days hold archived events (that would tell it of other consumers' activity).
        var hotEdge = StoaApp.Epoch.AddDays(-90).Date;
        var page = await clientB.GetAsync($"/v1/audit/{tenant}?from={Wire.Time(Old.AddDays(-20))}&to={Wire.Time(StoaApp.Epoch)}");
        Assert.Equal($"{Old.AddDays(-20):yyyy-MM-dd}/{hotEdge.AddDays(-1):yyyy-MM-dd}", page.Headers.GetValues(ArchivedDays.Header).Single());
        var hot = await clientB.GetAsync($"/v1/audit/{tenant}?from={Wire.Time(hotEdge)}");
        Assert.False(hot.Headers.Contains(ArchivedDays.Header));
    }

    [Fact]
    public async Task The_chain_verifies_across_archived_and_hot_events_and_a_bundle_of_a_hot_window_still_proves_itself()
    {
        var (client, tenant) = await TenantWithHistoryAsync();
        await RunAsync(tenant);
        var report = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/verify"))!;
        Assert.True((bool)report["intact"]!, report.ToJsonString());
        Assert.Equal((long)report["to_seq"]!, (long)report["checked"]!);

        // Tampering with an archive file is found.
        var file = _app.Services.GetRequiredService<ArchiveDirectory>();
        await using (var db = await Store.CreateDbContextAsync())
        {
            var first = await db.ArchiveFiles.Where(a => a.TenantId == tenant && a.Layer == "business").OrderBy(a => a.DayMs).FirstAsync();
            var path = file.PathOf(first);
            var lines = await ReadLinesAsync(path);
            lines[0] = lines[0].Replace("doc-0", "doc-X");
            await using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        }
        var broken = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/verify"))!;
        Assert.False((bool)broken["intact"]!);
    }

    [Fact]
    public async Task A_manifest_names_its_file_and_is_signed_by_a_published_key_that_openssl_checks()
    {
        var (client, tenant) = await TenantWithHistoryAsync();
        var file = (await RunAsync(tenant))![0].Archived.First(f => f.Layer == "requests");
        var folder = Directory.CreateTempSubdirectory("stoa-manifest-").FullName;
        try
        {
            var manifest = Path.Combine(folder, "manifest.json");
            var signature = Path.Combine(folder, "manifest.json.sig");
            await File.WriteAllBytesAsync(manifest, await client.GetByteArrayAsync($"/v1/audit/{tenant}/archive/{file.Id}/manifest.json"));
            await File.WriteAllBytesAsync(signature, await client.GetByteArrayAsync($"/v1/audit/{tenant}/archive/{file.Id}/manifest.json.sig"));
            var gz = await client.GetByteArrayAsync($"/v1/audit/{tenant}/archive/{file.Id}");

            var fields = JsonNode.Parse(await File.ReadAllTextAsync(manifest))!;
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(gz)), (string)fields["sha256"]!);
            Assert.Equal((file.Rows, file.FirstSeq, file.LastSeq), ((long)fields["rows"]!, (long)fields["first_seq"]!, (long)fields["last_seq"]!));
            var keys = JsonNode.Parse(await client.GetStringAsync("/.well-known/stoa/keys.json"))!;
            var pem = Path.Combine(folder, "key.pem");
            await File.WriteAllTextAsync(pem, (string)keys["keys"]!.AsArray().Single(k => (string)k!["key_id"]! == (string)fields["key_id"]!)!["public_key_pem"]!);
            var verified = await AppBuild.RunAsync("openssl", "dgst", "-sha256", "-verify", pem, "-signature", signature, manifest);
            Assert.True(verified.ExitCode == 0, verified.Output);

            await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace($"\"rows\": {file.Rows}", $"\"rows\": {file.Rows - 1}"));
            Assert.NotEqual(0, (await AppBuild.RunAsync("openssl", "dgst", "-sha256", "-verify", pem, "-signature", signature, manifest)).ExitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Running_twice_archives_nothing_more_and_an_export_that_asks_for_too_much_is_told_why()
    {
        var (client, tenant) = await TenantWithHistoryAsync();
        Assert.Equal(9, (await RunAsync(tenant))![0].Archived.Count);
        var second = (await RunAsync(tenant))![0];
        Assert.Empty(second.Archived);
        Assert.Empty(second.Purged);

        var desc = await client.GetAsync($"/v1/audit/{tenant}/export/csv?archived=include&order=desc");
        Assert.Equal(HttpStatusCode.BadRequest, desc.StatusCode);
        Assert.Contains("oldest first", await desc.Content.ReadAsStringAsync());
        var bundle = await client.GetAsync($"/v1/audit/{tenant}/export/bundle?archived=include");
        Assert.Equal(HttpStatusCode.BadRequest, bundle.StatusCode);
    }

    private static async Task<List<string>> ReadLinesAsync(string path)
    {
        await using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.UTF8);
        return [.. (await text.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
