using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Cli;

/// <summary>
/// <c>store import-sqlite</c> moves a SQLite store into an empty PostgreSQL one: afterwards the same
/// token reads the same answers byte for byte, the chain and its signed checkpoints (and the archive
/// beside the store) still verify, and new events go on from the last seq. It will not import twice.
/// </summary>
public sealed class StoreImportTests : IAsyncLifetime
{
    private const string Tenant = "t_moving";
    private readonly StoaApp _sqlite = new();
    private readonly StoaApp _postgres = new();
    private readonly string _stopped = Directory.CreateTempSubdirectory("stoa-stopped-").FullName;

    public StoreImportTests()
    {
        _sqlite.Settings["Stoa:Store:Provider"] = "sqlite";
        _sqlite.Settings["ConnectionStrings:Audit"] = $"Data Source={_sqlite.DatabasePath}";
        _sqlite.Settings["Stoa:Store:Folder"] = null;
        _sqlite.Settings["Stoa:Store:KeyRingSecret"] = null;
        _sqlite.Settings["Stoa:Redis"] = null;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _sqlite.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_stopped, recursive: true);
    }

    private static readonly string[] Reads =
        [$"/v1/audit/{Tenant}?limit=1000", $"/v1/audit/{Tenant}/security?limit=1000", $"/v1/audit/{Tenant}/business?limit=1000", $"/v1/audit/{Tenant}/verify"];

    private static async Task<List<string>> ReadAllAsync(HttpClient client)
    {
        var answers = new List<string>();
        foreach (var url in Reads) answers.Add(await client.GetStringAsync(url));
        return answers;
    }

    private static void CopyFolder(string folder, string copy)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-shm")))
        {
            var to = Path.Combine(copy, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    [PostgresFact]
    public async Task A_sqlite_store_moved_into_postgresql_answers_the_same_and_its_chain_still_verifies()
    {
        var client = await _sqlite.OperatorAsync(Tenant);
        var old = StoaApp.Epoch.AddDays(-120); // past the 90 hot days: archived into the folder beside the file
        await client.IngestAsync(Tenant,
            Wire.Request("r-old", old), Wire.Request("r-feb", StoaApp.Epoch.AddDays(-20)), Wire.Request("r-mar", StoaApp.Epoch.AddMinutes(-5)),
            Wire.Security("s-1", StoaApp.Epoch.AddMinutes(-4)), Wire.Business(StoaApp.Epoch.AddMinutes(-3), resourceId: "doc-1"));
        Assert.Single(Assert.Single((await _sqlite.Services.GetRequiredService<RetentionService>().RunOnceAsync(Tenant))!).Archived);
        Assert.NotNull(await _sqlite.Services.GetRequiredService<Checkpoints>().SignAsync(Tenant));
        var before = await ReadAllAsync(client);
        Assert.Contains("\"intact\":true", before[^1]);
        var secret = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var lastSeq = (long)System.Text.Json.Nodes.JsonNode.Parse(before[^1])!["to_seq"]!;
        CopyFolder(Path.GetDirectoryName(_sqlite.DatabasePath)!, _stopped); // as the server left it: its file, its WAL and the folders beside

        var (exitCode, output, error) = await AppProcess.TryRunAsync(_postgres.DatabasePath, "store", "import-sqlite", Path.Combine(_stopped, "audit.db"));
        Assert.True(exitCode == 0, error);
        Assert.Contains("request_events: 2 rows", output); // the third is in the archive
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(_postgres.DatabasePath)!, "signing-keys", "keyring.json")));

        var moved = _postgres.CreateClient();
        moved.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(before, await ReadAllAsync(moved));
        await moved.IngestAsync(Tenant, Wire.Request("r-after", StoaApp.Epoch));
        var after = System.Text.Json.Nodes.JsonNode.Parse(await moved.GetStringAsync($"/v1/audit/{Tenant}/verify"))!;
        Assert.True((bool)after["intact"]!);
        Assert.Equal(lastSeq + 1, (long)after["to_seq"]!); // the numbering goes on from where SQLite left it

        var again = await AppProcess.TryRunAsync(_postgres.DatabasePath, "store", "import-sqlite", Path.Combine(_stopped, "audit.db"));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("not empty", again.Error);
    }
}
