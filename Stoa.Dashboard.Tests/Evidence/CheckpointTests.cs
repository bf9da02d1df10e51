using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Evidence;

/// <summary>Signed checkpoints, the published keys, and rotating the key with the CLI while the app runs.</summary>
public sealed class CheckpointTests(StoaApp app) : IClassFixture<StoaApp>, IDisposable
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-1);
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-checkpoints-").FullName;

    private Checkpoints Checkpoints => app.Services.GetRequiredService<Checkpoints>();

    [Fact]
    public async Task A_checkpoint_is_signed_only_when_the_chain_grew_and_names_the_one_before()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("a", T0), Wire.Request("b", T0));
        await Checkpoints.SignDueAsync();
        await Checkpoints.SignDueAsync(); // nothing new: no second checkpoint
        await client.IngestAsync(tenant, Wire.Security("c", T0));
        await Checkpoints.SignDueAsync();

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var checkpoints = await db.Checkpoints.Where(c => c.TenantId == tenant).OrderBy(c => c.Seq).ToListAsync();
        Assert.Equal([2L, 3L], checkpoints.Select(c => c.Seq));
        var first = CheckpointStatement.Parse(checkpoints[0].Statement)!;
        var second = CheckpointStatement.Parse(checkpoints[1].Statement)!;
        Assert.Null(first.Previous);
        Assert.Equal(CheckpointStatement.HashOf(checkpoints[0].Statement), second.Previous);
        Assert.Equal(Convert.ToHexStringLower(checkpoints[1].Head), second.Head);
    }

    [Fact]
    public async Task The_app_signs_grown_chains_on_its_own_while_events_arrive()
    {
        using var fast = new StoaApp();
        fast.Settings["Stoa:Evidence:CheckpointSeconds"] = "1";
        var tenant = StoaApp.NewTenant();
        var client = await fast.OperatorAsync(tenant);
        var signed = new TaskCompletionSource<Checkpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        fast.Services.GetRequiredService<Checkpoints>().Signed += c => { if (c.TenantId == tenant) signed.TrySetResult(c); };

        await client.IngestAsync(tenant, Wire.Request("a", T0), Wire.Request("b", T0));

        var checkpoint = await signed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, checkpoint.Seq);
    }

    [Fact]
    public async Task Every_export_signs_the_chain_as_it_stands()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("a", T0), Wire.Request("b", T0), Wire.Request("c", T0));
        (await client.GetAsync($"/v1/audit/{tenant}/export/csv?layer=requests")).EnsureSuccessStatusCode();

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        // The three events and the export's own 'export_started' record (seq 4), before any row was sent.
        Assert.Equal([4L], await db.Checkpoints.Where(c => c.TenantId == tenant).Select(c => c.Seq).ToListAsync());
    }

    [Fact]
    public async Task Openssl_verifies_a_checkpoint_with_the_published_key()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("a", T0));
        var checkpoint = (await Checkpoints.SignAsync(tenant))!;

        var anonymous = app.CreateClient();
        var keys = JsonNode.Parse(await anonymous.GetStringAsync("/.well-known/stoa/keys.json"))!["keys"]!.AsArray();
        var key = keys.Single(k => (string)k!["key_id"]! == checkpoint.KeyId)!;
        var pem = Path.Combine(_folder, "key.pem");
        await File.WriteAllTextAsync(pem, (string)key["public_key_pem"]!);
        var statement = Path.Combine(_folder, "checkpoint.json");
        var signature = Path.Combine(_folder, "checkpoint.sig");
        await File.WriteAllTextAsync(statement, checkpoint.Statement);
        await File.WriteAllBytesAsync(signature, checkpoint.Signature);

        var verified = await AppBuild.RunAsync("openssl", "dgst", "-sha256", "-verify", pem, "-signature", signature, statement);
        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.Contains("Verified OK", verified.Output);
        var fingerprint = await AppBuild.RunAsync("bash", "-c", $"openssl pkey -pubin -in '{pem}' -outform DER | sha256sum");
        Assert.StartsWith((string)key["fingerprint_sha256"]!, fingerprint.Output);

        await File.WriteAllTextAsync(statement, checkpoint.Statement.Replace($"\"seq\":{checkpoint.Seq}", "\"seq\":999"));
        var forged = await AppBuild.RunAsync("openssl", "dgst", "-sha256", "-verify", pem, "-signature", signature, statement);
        Assert.NotEqual(0, forged.ExitCode);
    }

    [Fact]
    public async Task The_private_key_lives_in_its_own_file_never_in_the_store()
    {
        var keys = app.Services.GetRequiredService<SigningKeys>();
        var keyId = keys.Current.KeyId;
        var file = Path.Combine(keys.Directory, keyId + ".key.pem");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        var privateDer = Convert.FromBase64String(string.Concat((await File.ReadAllTextAsync(file))
            .Split('\n').Where(l => !l.StartsWith("-----"))));
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("a", T0));
        await Checkpoints.SignAsync(tenant);
        var store = await TestStore.ContentsAsync(app.DatabasePath);
        // The private scalar is the 32 bytes after the OCTET STRING header in the PKCS#8 body; not even those are stored.
        var scalar = privateDer.AsSpan(privateDer.AsSpan().IndexOf([(byte)0x04, (byte)0x20]) + 2, 32).ToArray();
        Assert.Equal(-1, store.AsSpan().IndexOf(scalar));
    }

    [Fact]
    public async Task Rotating_the_key_with_the_cli_keeps_old_bundles_verifying_and_signs_new_checkpoints_with_the_new_key()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("a", T0), Wire.Request("b", T0.AddMinutes(1)));
        var oldKey = app.Services.GetRequiredService<SigningKeys>().Current;
        var oldBundle = Path.Combine(_folder, "old.zip");
        await File.WriteAllBytesAsync(oldBundle, await client.GetByteArrayAsync($"/v1/audit/{tenant}/export/bundle?layer=requests"));

        var rotated = await RunCliAsync("keys", "rotate");
        Assert.True(rotated.ExitCode == 0, rotated.Output);

        var keys = JsonNode.Parse(await client.GetStringAsync("/.well-known/stoa/keys.json"))!["keys"]!.AsArray();
        Assert.Equal(2, keys.Count);
        Assert.Equal(oldKey.KeyId, (string?)keys[0]!["key_id"]);
        Assert.NotNull((string?)keys[0]!["valid_until"]);
        Assert.Null((string?)keys[1]!["valid_until"]);
        Assert.False(File.Exists(Path.Combine(app.Services.GetRequiredService<SigningKeys>().Directory, oldKey.KeyId + ".key.pem")));

        await client.IngestAsync(tenant, Wire.Request("c", T0.AddMinutes(2)));
        Assert.Equal((string?)keys[1]!["key_id"], (await Checkpoints.SignAsync(tenant))!.KeyId);

        var keysFile = Path.Combine(_folder, "keys.json");
        await File.WriteAllTextAsync(keysFile, keys.Parent!.ToJsonString());
        var old = await RunCliAsync("verify", oldBundle, "--keys", keysFile);
        Assert.True(old.ExitCode == 0, old.Output);
        var newBundle = Path.Combine(_folder, "new.zip");
        await File.WriteAllBytesAsync(newBundle, await client.GetByteArrayAsync($"/v1/audit/{tenant}/export/bundle?layer=requests"));
        var fresh = await AppBuild.RunAsync("bash", Path.Combine(AppBuild.RepositoryRoot, "tools", "verify-bundle.sh"), newBundle, "--keys", keysFile);
        Assert.True(fresh.ExitCode == 0, fresh.Output);
    }

    /// <summary>The CLI on the app's own store (and so its key directory), as an operator runs it beside the server.</summary>
    private Task<(int ExitCode, string Output)> RunCliAsync(params string[] args) => AppBuild.RunAsync("dotnet", [AppBuild.DllPath, .. args],
        TestStore.Environment(app.DatabasePath));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
