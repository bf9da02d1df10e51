using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Cli;

/// <summary><c>store import-sqlite PATH</c>: moves a SQLite store into the (empty) PostgreSQL store this program is set up for.</summary>
public sealed class StoreCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          store import-sqlite PATH   (PATH: the SQLite store, e.g. App_Data/audit.db; run with Stoa:Store:Provider=postgres
                                      and ConnectionStrings:Audit naming a new, empty PostgreSQL database; stop the old server first)
        """;

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (args is not ["import-sqlite", var path]) return await CommandOptions.FailAsync(Usage, 2);
        if (services.GetRequiredService<StoreSettings>().Provider != StoreProvider.Postgres)
            return await CommandOptions.FailAsync("This program's store is SQLite: run it with Stoa:Store:Provider=postgres and ConnectionStrings:Audit naming the PostgreSQL store to move into.", 2);
        var (result, problem) = await ActivatorUtilities.CreateInstance<SqliteImport>(services).RunAsync(path, Console.Out);
        if (result is null) return await CommandOptions.FailAsync(problem!);
        Console.WriteLine($"Imported {result.Tables.Sum(t => t.Rows):N0} rows in {result.Tables.Count} tables and {result.FilesCopied} files from {path}.");
        return 0;
    }
}
