using Microsoft.Data.Sqlite;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// What archiving costs and gives back: N request events over 120 days that are all past the hot
/// window, chained; then <c>retention run</c> as a process (rows/s against the bare insert of the
/// same rows, peak memory against a command that archives nothing), the archive's bytes per event
/// against the store's, and the store file before, after (pages freed for reuse) and after <c>vacuum</c>.
/// </summary>
public static class RetentionBenchmark
{
    private const string Tenant = "bench_retention";

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        var rows = options.Rows;
        Console.WriteLine($"Preparing a store with {rows:N0} request events over 120 days, all past 90 days…");
        await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench"); // a migrated store
        var insertRate = DataGenerator.Insert(workspace, Tenant, rows, DateTimeOffset.UtcNow.AddDays(-95), TimeSpan.FromDays(120));
        await workspace.RunCommandAsync("keys", "list"); // chains the generated rows, as a start does
        Checkpoint(workspace);
        var before = StoreBytes(workspace);

        var idle = await workspace.MeasureCommandAsync("retention", "show", Tenant);
        var run = await workspace.MeasureCommandAsync("retention", "run", Tenant);
        Console.WriteLine($"  {run.LastLine}: {run.Seconds:0.0} s, peak {run.PeakRssBytes / 1e6:N0} MB");
        var archiveBytes = Directory.EnumerateFiles(Path.Combine(workspace.Folder, "archive"), "*.ndjson.gz", SearchOption.AllDirectories)
            .Sum(f => new FileInfo(f).Length);
        Checkpoint(workspace);
        var afterArchive = StoreBytes(workspace);
        await workspace.RunCommandAsync("vacuum");
        Checkpoint(workspace);
        var afterVacuum = StoreBytes(workspace);

        results.Add($"archive: rows/s ({rows:N0} events, the command's whole run)", rows / run.Seconds, "rows/s", insertRate,
            "bare prepared INSERT of the same rows");
        results.Add("archive: peak memory of the command", run.PeakRssBytes / 1e6, "MB", idle.PeakRssBytes / 1e6, "retention show (a command that archives nothing)");
        results.Add("archive bytes per event (gzip canonical NDJSON)", (double)archiveBytes / rows, "bytes", (double)before / rows, "store bytes per event before");
        results.Add("store file after archiving (freed pages kept for reuse)", afterArchive / 1e6, "MB", before / 1e6, "store file before");
        results.Add("store file after vacuum", afterVacuum / 1e6, "MB", before / 1e6, "store file before");
    }

    /// <summary>The store file and its WAL.</summary>
    private static long StoreBytes(Workspace workspace) =>
        new FileInfo(workspace.DatabasePath).Length + (File.Exists(workspace.DatabasePath + "-wal") ? new FileInfo(workspace.DatabasePath + "-wal").Length : 0);

    /// <summary>Folds the WAL into the file, so sizes compare like for like.</summary>
    private static void Checkpoint(Workspace workspace)
    {
        using var connection = new SqliteConnection(workspace.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
    }
}
