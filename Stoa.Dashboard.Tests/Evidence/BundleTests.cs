using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Evidence;

/// <summary>
/// Bundles as an auditor checks them offline: with <c>dotnet Stoa.Dashboard.dll verify</c> and with
/// <c>tools/verify-bundle.sh</c> (bash, openssl, sha256sum, jq), both run as processes; each
/// tampering is named the same way by both.
/// </summary>
public sealed class BundleTests(StoaApp app) : IClassFixture<StoaApp>, IDisposable
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-3);
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-bundles-").FullName;

    private async Task<(HttpClient Operator, string Tenant)> TenantAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant,
            Wire.Request("early", T0.AddMinutes(-30), consumer: "cons_mine"),
            Wire.Request("r1", T0, consumer: "cons_mine", method: "DELETE", path: "/api/documents/12345"),
            Wire.Request("r2", T0.AddMinutes(1), consumer: "cons_other", path: "/api/secret-other"),
            Wire.Security("s1", T0.AddMinutes(2), actor: "10.0.0.7", target: "cons_other"),
            Wire.Business(T0.AddMinutes(3), actor: "cons_mine", resourceId: "12345", requestId: "r1"),
            Wire.Request("r3", T0.AddMinutes(4), consumer: "cons_mine"),
            Wire.Request("late", T0.AddMinutes(90), consumer: "cons_other"));
        return (client, tenant);
    }

    private static string Window => $"from={Wire.Time(T0)}&to={Wire.Time(T0.AddHours(1))}";

    [Fact]
    public async Task An_operators_bundle_verifies_with_the_cli_and_with_the_script_and_is_complete()
    {
        var (client, tenant) = await TenantAsync();
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=requests&{Window}");

        var manifest = Manifest(bundle);
        Assert.Equal(3, (long)manifest["rows"]!); // r1, r2, r3
        Assert.True((bool)manifest["complete"]!);
        Assert.Equal([2L, 6L], new[] { (long)manifest["seq_first"]!, (long)manifest["seq_last"]! });
        var csv = Entry(bundle, BundleFiles.Csv);
        Assert.Equal(4, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length); // header and three rows
        Assert.DoesNotContain("\"late\"", Entry(bundle, BundleFiles.Canonical));

        var verdict = await BothVerifyAsync(bundle, await KeysFileAsync(client), expectVerified: true);
        Assert.Contains("VERIFIED: 3 requests records", verdict);
        Assert.Contains("complete", verdict);
    }

    [Fact]
    public async Task A_clients_bundle_verifies_and_holds_nothing_of_another_consumer()
    {
        var (operatorClient, tenant) = await TenantAsync();
        var client = await app.ClientWithTokenAsync("client", [tenant], ["cons_mine"]);
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=requests&{Window}");

        var manifest = Manifest(bundle);
        Assert.Equal(2, (long)manifest["rows"]!);
        Assert.False((bool)manifest["complete"]!);
        Assert.Equal(["cons_mine"], manifest["consumers"]!.AsArray().Select(c => (string)c!));
        using (var zip = ZipFile.OpenRead(bundle))
        {
            Assert.Null(zip.GetEntry(BundleFiles.Context));
            // Public keys and signatures are random bytes that may spell anything; the rest must not name another consumer's data.
            foreach (var entry in zip.Entries.Where(e => e.Name != BundleFiles.Xlsx && e.Name != BundleFiles.Keys && !e.Name.EndsWith(".sig")))
            {
                var text = Entry(bundle, entry.Name);
                foreach (var secret in new[] { "cons_other", "r2", "secret-other", "10.0.0.7", "s1" })
                    Assert.False(text.Contains(secret), $"{entry.Name} names '{secret}'");
            }
        }
        using (var workbook = new ClosedXML.Excel.XLWorkbook(new MemoryStream(EntryBytes(bundle, BundleFiles.Xlsx))))
            Assert.DoesNotContain(workbook.Worksheet("data").CellsUsed(), c => c.GetString().Contains("cons_other"));
        // The others' events in the stretch are leaves only: seq and hash, nothing else.
        var chainLines = Entry(bundle, BundleFiles.Chain).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(chainLines.Skip(1), line => Assert.Matches("^[0-9]+ [0-9a-f]{64}$", line));

        var verdict = await BothVerifyAsync(bundle, await KeysFileAsync(operatorClient), expectVerified: true);
        Assert.Contains("VERIFIED: 2 requests records", verdict);
    }

    [Fact]
    public async Task A_changed_file_fails_naming_the_file()
    {
        var (client, tenant) = await TenantAsync();
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=requests&{Window}");
        Rewrite(bundle, files => files[BundleFiles.Csv] = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(files[BundleFiles.Csv]).Replace("DELETE", "GET")), resign: false);

        var verdict = await BothVerifyAsync(bundle, await KeysFileAsync(client), expectVerified: false);
        Assert.Contains("events.csv: its SHA-256 is not the one in the signed manifest", verdict);
    }

    [Fact]
    public async Task A_record_altered_even_under_a_re_signed_manifest_fails_at_its_seq()
    {
        var (client, tenant) = await TenantAsync();
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=requests&{Window}");
        // Whoever holds the key re-signs the manifest; the checkpoint signed before still fixes the chain.
        Rewrite(bundle, files => files[BundleFiles.Canonical] = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(files[BundleFiles.Canonical]).Replace("\"DELETE\"", "\"GET\"")), resign: true);

        var verdict = await BothVerifyAsync(bundle, await KeysFileAsync(client), expectVerified: false);
        Assert.Contains("events.ndjson record seq 2: its hash is not the chain's leaf at seq 2", verdict);
    }

    [Fact]
    public async Task A_record_hidden_among_the_context_fails_as_incomplete()
    {
        var (client, tenant) = await TenantAsync();
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=requests&{Window}");
        Rewrite(bundle, files =>
        {
            var records = Encoding.UTF8.GetString(files[BundleFiles.Canonical]).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            var hidden = records.Single(r => r.Contains("\"r2\""));
            records.Remove(hidden);
            var context = Encoding.UTF8.GetString(files[BundleFiles.Context]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Append(hidden).OrderBy(l => long.Parse(l[7..l.IndexOf(',')])).ToList();
            files[BundleFiles.Canonical] = Encoding.UTF8.GetBytes(string.Concat(records.Select(r => r + "\n")));
            files[BundleFiles.Context] = Encoding.UTF8.GetBytes(string.Concat(context.Select(r => r + "\n")));
            var manifest = JsonNode.Parse(files[BundleFiles.Manifest])!;
            manifest["rows"] = 2;
            files[BundleFiles.Manifest] = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        }, resign: true);

        var verdict = await BothVerifyAsync(bundle, await KeysFileAsync(client), expectVerified: false);
        Assert.Contains("context.ndjson event seq 3 is a requests event inside the window", verdict);
    }

    [Fact]
    public async Task A_bundle_pinned_to_another_fingerprint_fails_and_to_its_own_verifies()
    {
        var (client, tenant) = await TenantAsync();
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=business&{Window}");
        var fingerprint = (string)JsonNode.Parse(await client.GetStringAsync("/.well-known/stoa/keys.json"))!["keys"]![0]!["fingerprint_sha256"]!;

        var good = await AppBuild.RunAsync("bash", Script, bundle, "--fingerprint", fingerprint);
        var wrong = await AppBuild.RunAsync("bash", Script, bundle, "--fingerprint", new string('a', 64));
        var wrongCli = await AppBuild.RunAsync("dotnet", AppBuild.DllPath, "verify", bundle, "--fingerprint", new string('a', 64));

        Assert.True(good.ExitCode == 0, good.Output);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("FAILED", wrong.Output);
        Assert.Equal(1, wrongCli.ExitCode);
    }

    [Fact]
    public async Task An_empty_window_gives_a_signed_bundle_without_records()
    {
        var (client, tenant) = await TenantAsync();
        var bundle = await DownloadAsync(client, $"/v1/audit/{tenant}/export/bundle?layer=security&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z");
        Assert.Equal(0, (long)Manifest(bundle)["rows"]!);
        Assert.Contains("VERIFIED: no records", await BothVerifyAsync(bundle, await KeysFileAsync(client), expectVerified: true));
    }

    private const string Keys = "keys.json";
    private static string Script => Path.Combine(AppBuild.RepositoryRoot, "tools", "verify-bundle.sh");

    /// <summary>Runs the CLI and the script on the bundle; both must reach the same verdict, and the last lines must agree.</summary>
    private static async Task<string> BothVerifyAsync(string bundle, string keys, bool expectVerified)
    {
        var cli = await AppBuild.RunAsync("dotnet", AppBuild.DllPath, "verify", bundle, "--keys", keys);
        var script = await AppBuild.RunAsync("bash", Script, bundle, "--keys", keys);
        Assert.True(cli.ExitCode == (expectVerified ? 0 : 1), "cli: " + cli.Output);
        Assert.True(script.ExitCode == (expectVerified ? 0 : 1), "script: " + script.Output);
        Assert.Equal(LastLine(cli.Output), LastLine(script.Output));
        return LastLine(cli.Output);
    }

    private static string LastLine(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();

    private async Task<string> DownloadAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    private async Task<string> KeysFileAsync(HttpClient client)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}-{Keys}");
        await File.WriteAllTextAsync(path, await client.GetStringAsync("/.well-known/stoa/keys.json"));
        return path;
    }

    private static JsonNode Manifest(string bundle) => JsonNode.Parse(Entry(bundle, BundleFiles.Manifest))!;

    private static string Entry(string bundle, string name) => Encoding.UTF8.GetString(EntryBytes(bundle, name));

    private static byte[] EntryBytes(string bundle, string name)
    {
        using var zip = ZipFile.OpenRead(bundle);
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Rewrites the bundle's files; with <paramref name="resign"/>, as someone holding the signing key would: the manifest's hashes updated and signed again.</summary>
    private void Rewrite(string bundle, Action<Dictionary<string, byte[]>> change, bool resign)
    {
        Dictionary<string, byte[]> files;
        using (var zip = ZipFile.OpenRead(bundle))
            files = zip.Entries.ToDictionary(e => e.FullName, e => EntryBytes(bundle, e.FullName));
        change(files);
        if (resign)
        {
            var manifest = JsonNode.Parse(files[BundleFiles.Manifest])!;
            foreach (var file in manifest["files"]!.AsArray())
            {
                var bytes = files[(string)file!["name"]!];
                file["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
                file["bytes"] = bytes.Length;
            }
            files[BundleFiles.Manifest] = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            files[BundleFiles.ManifestSignature] = app.Services.GetRequiredService<SigningKeys>()
                .Sign(files[BundleFiles.Manifest], (string)manifest["key_id"]!);
        }
        File.Delete(bundle);
        using var output = ZipFile.Open(bundle, ZipArchiveMode.Create);
        foreach (var (name, bytes) in files)
        {
            using var stream = output.CreateEntry(name).Open();
            stream.Write(bytes);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
