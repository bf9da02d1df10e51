using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>
/// The store a test's app runs on. By default a SQLite file in the test's folder; with
/// <c>STOA_TEST_POSTGRES</c> set to a server's connection string (<c>tools/postgres.sh</c> prints one),
/// a database of its own on that server, named after the file SQLite would use, so an app process
/// started on the same path finds the same store (what lives beside the store stays in its folder). <c>.ci/run</c> runs the suite both ways.
/// </summary>
public static class TestStore
{
    private static readonly string? Server = System.Environment.GetEnvironmentVariable("STOA_TEST_POSTGRES") is { Length: > 0 } server ? server : null;

    /// <summary>With <c>STOA_TEST_REDIS</c> (<c>tools/redis.sh</c> prints one), apps on PostgreSQL also join a Redis backplane, a channel prefix per store.</summary>
    private static readonly string? Redis = System.Environment.GetEnvironmentVariable("STOA_TEST_REDIS") is { Length: > 0 } redis ? redis : null;

    public static bool OnPostgres => Server is not null;

    public static bool WithRedis => Server is not null && Redis is not null;

    /// <summary>What points the app at the store of this SQLite path, as configuration keys (<c>ConnectionStrings:Audit</c>, …).</summary>
    public static Dictionary<string, string?> Settings(string databasePath)
    {
        if (Server is null) return new() { ["ConnectionStrings:Audit"] = $"Data Source={databasePath}" };
        var database = DatabaseName(databasePath);
        Create(database);
        return new()
        {
            ["Stoa:Store:Provider"] = "postgres",
            ["ConnectionStrings:Audit"] = new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString,
            ["Stoa:Store:Folder"] = Path.GetDirectoryName(Path.GetFullPath(databasePath)),
            ["Stoa:Store:KeyRingSecret"] = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(database))), // the tests' own, per store
            ["Stoa:Redis"] = Redis is null ? null : RedisSettings(databasePath),
        };
    }

    /// <summary>The Redis configuration an app on this path's store uses: the server, and the store's own channel prefix.</summary>
    public static string RedisSettings(string databasePath) => $"{Redis},channelPrefix={RedisChannelPrefix(databasePath)}";

    public static string RedisChannelPrefix(string databasePath) => DatabaseName(databasePath) + ":";

    /// <summary>The same as environment variables, for an app process (<c>ConnectionStrings__Audit</c>, …).</summary>
    public static Dictionary<string, string> Environment(string databasePath) =>
        Settings(databasePath).Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value!);

    /// <summary>Drops the path's database (SQLite's file goes with the test's folder).</summary>
    public static void Drop(string databasePath)
    {
        if (Server is null) return;
        NpgsqlConnection.ClearAllPools();
        Run($"DROP DATABASE IF EXISTS {DatabaseName(databasePath)} WITH (FORCE)");
    }

    /// <summary>
    /// Every byte the store holds, to assert what is never in it (a secret, a private key): SQLite's file
    /// and its WAL, or on PostgreSQL each table as a binary COPY (every value's own bytes, unencoded).
    /// </summary>
    public static async Task<byte[]> ContentsAsync(string databasePath)
    {
        if (Server is null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var wal = databasePath + "-wal";
            return [.. await File.ReadAllBytesAsync(databasePath), .. File.Exists(wal) ? await File.ReadAllBytesAsync(wal) : []];
        }
        await using var connection = new NpgsqlConnection(Settings(databasePath)["ConnectionStrings:Audit"]);
        await connection.OpenAsync();
        var tables = new List<string>();
        // Tables that hold rows: a partitioned table's are in its partitions, which are tables of their own.
        await using (var list = new NpgsqlCommand("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        using var contents = new MemoryStream();
        foreach (var table in tables)
        {
            await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY \"{table}\" TO STDOUT (FORMAT BINARY)");
            await copy.CopyToAsync(contents);
        }
        return contents.ToArray();
    }

    /// <summary>A connection of the test's own to the store, to look at it as the app left it.</summary>
    public static async Task<System.Data.Common.DbConnection> OpenAsync(string databasePath)
    {
        System.Data.Common.DbConnection connection = Server is null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Mode=ReadOnly")
            : new NpgsqlConnection(Settings(databasePath)["ConnectionStrings:Audit"]);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A bytes literal in the store's SQL.</summary>
    public static string BlobLiteral(byte[] bytes) => Server is null ? $"x'{Convert.ToHexString(bytes)}'" : $"'\\x{Convert.ToHexString(bytes)}'::bytea";

    private static string DatabaseName(string databasePath) =>
        "stoa_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(databasePath))))[..24];

    private static void Create(string database)
    {
        try
        {
            Run($"CREATE DATABASE {database}");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // made already for this folder (an app process started after the test's own app)
        }
    }

    private static void Run(string sql)
    {
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
