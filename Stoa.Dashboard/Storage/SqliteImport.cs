using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// Moves a SQLite store into an empty PostgreSQL one (<c>store import-sqlite PATH</c>): every table as it
/// is, ids, seqs and chain heads included, so every answer, export, bundle and checkpoint reads the same
/// afterwards; and the folders beside the file (signing keys, archive, destination secrets) into the ones
/// the PostgreSQL store uses. The tables go in one transaction, each counted against its source; the
/// folders go first and file by file, so a run that fails part way can simply be run again.
/// </summary>
public sealed class SqliteImport(StoreSettings settings, RequestPartitions partitions, IConfiguration configuration, IHostEnvironment environment)
{
    /// <summary>Never copied: PostgreSQL's own key ring, leases of the moment, and each store's own migration history.</summary>
    private static readonly string[] NotCopied = ["data_protection_keys", "leases", "__EFMigrationsHistory"];

    public sealed record Result(IReadOnlyList<(string Table, long Rows)> Tables, int FilesCopied);

    /// <summary>Imports the store, or says why it will not (and then has changed nothing but the source's schema, brought up to date).</summary>
    public async Task<(Result? Result, string? Problem)> RunAsync(string sqlitePath, TextWriter progress, CancellationToken ct = default)
    {
        if (!File.Exists(sqlitePath)) return (null, $"There is no SQLite store at {sqlitePath}.");
        var source = $"Data Source={Path.GetFullPath(sqlitePath)};Pooling=false";
        await using (var sourceDb = new AuditDbContext(new DbContextOptionsBuilder<AuditDbContext>().UseSqlite(source).Options))
            await sourceDb.Database.MigrateAsync(ct); // as this version would on its start, so both schemas are the same

        await using var target = new NpgsqlConnection(settings.ConnectionString);
        await target.OpenAsync(ct);
        var tables = await TablesAsync(target, ct);
        foreach (var table in tables)
            if (await ScalarAsync<bool>(target, $"SELECT EXISTS (SELECT 1 FROM \"{table.Name}\")", ct))
                return (null, $"The PostgreSQL store is not empty ({table.Name} has rows): import into a new database.");
        var (files, conflict) = PlanFiles(sqlitePath);
        if (conflict is not null) return (null, conflict);

        foreach (var (from, to) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            if (!File.Exists(to)) File.Copy(from, to); // the mode too: private keys stay readable by their owner only
        }
        progress.WriteLine($"Copied {files.Count} files beside the store.");

        await using var sqlite = new SqliteConnection(source + ";Mode=ReadOnly");
        await sqlite.OpenAsync(ct);
        partitions.Ensure(await MonthsAsync(sqlite, ct));
        var copied = new List<(string, long)>();
        await using (var transaction = await target.BeginTransactionAsync(ct))
        {
            foreach (var table in tables)
            {
                var rows = await CopyAsync(sqlite, target, table, ct);
                var expected = await ScalarAsync<long>(sqlite, $"SELECT COUNT(*) FROM \"{table.Name}\"", ct);
                if (rows != expected) throw new InvalidOperationException($"{table.Name}: {rows} rows copied of {expected}; nothing was imported.");
                foreach (var identity in table.Identities)
                    await ScalarAsync<long>(target,
                        $"SELECT setval(pg_get_serial_sequence('\"{table.Name}\"', '{identity}'), COALESCE(MAX(\"{identity}\"), 0) + 1, false) FROM \"{table.Name}\"", ct);
                copied.Add((table.Name, rows));
                progress.WriteLine($"{table.Name}: {rows:N0} rows");
            }
            await transaction.CommitAsync(ct);
        }
        return (new Result(copied, files.Count), null);
    }

    private sealed record Table(string Name, IReadOnlyList<(string Column, string Type)> Columns, IReadOnlyList<string> Identities);

    /// <summary>The PostgreSQL store's tables (a partitioned one as itself, not its partitions) and their columns.</summary>
    private static async Task<List<Table>> TablesAsync(NpgsqlConnection target, CancellationToken ct)
    {
        var columns = new Dictionary<string, List<(string, string, bool)>>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name, c.data_type, c.is_identity = 'YES'
            FROM information_schema.columns c JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = 'public'::regnamespace
            WHERE c.table_schema = 'public' AND (t.relkind = 'p' OR t.relkind = 'r' AND NOT t.relispartition)
            ORDER BY c.table_name, c.ordinal_position
            """, target))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                if (NotCopied.Contains(reader.GetString(0))) continue;
                if (!columns.TryGetValue(reader.GetString(0), out var list)) columns[reader.GetString(0)] = list = [];
                list.Add((reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
            }
        return columns.Select(t => new Table(t.Key, t.Value.Select(c => (c.Item1, c.Item2)).ToList(),
            t.Value.Where(c => c.Item3).Select(c => c.Item1).ToList())).ToList();
    }

    private static async Task<long> CopyAsync(SqliteConnection sqlite, NpgsqlConnection target, Table table, CancellationToken ct)
    {
        var names = string.Join(", ", table.Columns.Select(c => $"\"{c.Column}\""));
        await using var read = sqlite.CreateCommand();
        read.CommandText = $"SELECT {names} FROM \"{table.Name}\"";
        await using var reader = await read.ExecuteReaderAsync(ct);
        await using var importer = await target.BeginBinaryImportAsync($"COPY \"{table.Name}\" ({names}) FROM STDIN (FORMAT BINARY)", ct);
        while (await reader.ReadAsync(ct))
        {
            await importer.StartRowAsync(ct);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    await importer.WriteNullAsync(ct);
                    continue;
                }
                switch (table.Columns[i].Type)
                {
                    case "bigint": await importer.WriteAsync(reader.GetInt64(i), NpgsqlDbType.Bigint, ct); break;
                    case "integer": await importer.WriteAsync(checked((int)reader.GetInt64(i)), NpgsqlDbType.Integer, ct); break;
                    case "boolean": await importer.WriteAsync(reader.GetInt64(i) != 0, NpgsqlDbType.Boolean, ct); break;
                    case "double precision": await importer.WriteAsync(reader.GetDouble(i), NpgsqlDbType.Double, ct); break;
                    case "bytea": await importer.WriteAsync((byte[])reader.GetValue(i), NpgsqlDbType.Bytea, ct); break;
                    case "text": await importer.WriteAsync(reader.GetString(i), NpgsqlDbType.Text, ct); break;
                    case var other: throw new InvalidOperationException($"{table.Name}.{table.Columns[i].Column} is {other}: the import does not copy that type.");
                }
            }
        }
        return (long)await importer.CompleteAsync(ct);
    }

    /// <summary>The months the SQLite store has request events in (their partitions are made before the copy).</summary>
    private static async Task<List<long>> MonthsAsync(SqliteConnection sqlite, CancellationToken ct)
    {
        var months = new List<long>();
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT DISTINCT strftime('%Y-%m', timestamp / 1000, 'unixepoch') FROM request_events";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            months.Add(DateTimeOffset.ParseExact(reader.GetString(0) + "-01Z", "yyyy-MM-ddK", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        return months;
    }

    /// <summary>Each file beside the SQLite store and where it goes; a problem when one would replace a different file.</summary>
    private (List<(string From, string To)> Files, string? Conflict) PlanFiles(string sqlitePath)
    {
        var beside = Path.GetDirectoryName(Path.GetFullPath(sqlitePath))!;
        var files = new List<(string, string)>();
        foreach (var folder in BesideStore.All)
        {
            var from = Path.Combine(beside, folder.Name);
            var to = StorageExtensions.FolderBesideStore(configuration, environment, folder);
            if (!Directory.Exists(from) || Path.GetFullPath(from) == Path.GetFullPath(to)) continue;
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var destination = Path.Combine(to, Path.GetRelativePath(from, file));
                if (File.Exists(destination) && !File.ReadAllBytes(destination).AsSpan().SequenceEqual(File.ReadAllBytes(file)))
                    return ([], $"{destination} exists and differs from {file}: move it away, or import into a store with a folder of its own.");
                files.Add((file, destination));
            }
        }
        return (files, null);
    }

    private static async Task<T> ScalarAsync<T>(System.Data.Common.DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(ct))!, typeof(T), CultureInfo.InvariantCulture);
    }
}
