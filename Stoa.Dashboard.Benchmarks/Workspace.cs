using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Npgsql;
using Stoa.Dashboard.Storage;
using System.Net;
using System.Net.Sockets;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// A temporary store, and the real server run as its own process on it (so its memory is its own):
/// a SQLite file in a temporary folder, or with a PostgreSQL server's connection string a database of
/// its own on that server, dropped at the end (or one named, kept).
/// </summary>
public sealed class Workspace : IDisposable
{
    private readonly string? _postgresServer;
    private readonly bool _keep;
    private ServiceProvider? _services;

    /// <param name="database">A database of an earlier run on that server to go on with (kept at the end), instead of a new one.</param>
    public Workspace(string? postgresServer = null, string? database = null)
    {
        _postgresServer = postgresServer;
        _keep = database is not null;
        ConnectionString = $"Data Source={DatabasePath}";
        if (postgresServer is null) return;
        if (database is null)
        {
            database = "stoa_bench_" + Guid.NewGuid().ToString("N")[..12];
            RunOnServer($"CREATE DATABASE {database}");
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(postgresServer) { Database = database, CommandTimeout = 0 }.ConnectionString;
        Settings["Stoa__Store__Provider"] = "postgres";
        Settings["Stoa__Store__Folder"] = Folder;
        // A kept database's key ring must open in the next run too: its secret is then made from its name (a benchmark's store holds nothing to keep secret).
        Settings["Stoa__Store__KeyRingSecret"] = Convert.ToBase64String(_keep
            ? System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(database))
            : System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("stoa-bench-").FullName;
    public string DatabasePath => Path.Combine(Folder, "audit.db");
    public bool OnPostgres => _postgresServer is not null;
    public string ConnectionString { get; }

    /// <summary>The store's name in figures: "sqlite" or "postgres".</summary>
    public string Provider => OnPostgres ? "postgres" : "sqlite";

    /// <summary>An open connection of the benchmark's own to the store.</summary>
    public DbConnection Open()
    {
        DbConnection connection = OnPostgres ? new NpgsqlConnection(ConnectionString) : new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>The app's own DbContext factory on this store, configured as the app configures it (pragmas, collations).</summary>
    public IDbContextFactory<AuditDbContext> ContextFactory()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings
            .Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), (string?)s.Value))
            .Append(KeyValuePair.Create("ConnectionStrings:Audit", (string?)ConnectionString))).Build();
        _services ??= new ServiceCollection().AddAuditStore(configuration, new HostingEnvironment { ContentRootPath = Folder }).BuildServiceProvider();
        return _services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
    }

    /// <summary>Runs SQL on the store (no time limit): a rebuild, a count.</summary>
    public async Task<object?> ExecuteAsync(string sql)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Settings for the server and commands, as environment variables (<c>Stoa__Benchmark__WithoutChain</c>).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    /// <summary>The repository root, found from this program's build folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ServerDll
    {
        get
        {
            var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(RepositoryRoot, "Stoa.Dashboard", "bin", bin.Parent!.Name, bin.Name, "Stoa.Dashboard.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Stoa.Dashboard in the same configuration first.", dll);
        }
    }

    /// <summary>Runs the program's command line (migrates the store as a side effect) and returns its last output line.</summary>
    public async Task<string> RunCommandAsync(params string[] args) => (await MeasureCommandAsync(args)).LastLine;

    /// <summary>Runs a command and measures it: its last output line, how long it took, and its peak resident memory.</summary>
    public async Task<(string LastLine, double Seconds, long PeakRssBytes)> MeasureCommandAsync(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(Start(args))!;
        using var memory = MemorySampler.Start(process.Id);
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"'{string.Join(' ', args)}' failed: {await error}");
        return (output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1], seconds, memory.PeakBytes);
    }

    public async Task<Server> StartServerAsync()
    {
        var port = FreePort();
        var process = Process.Start(Start(["--urls", $"http://127.0.0.1:{port}"]))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new Server(process, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitHealthyAsync();
        return server;
    }

    private ProcessStartInfo Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        start.ArgumentList.Add(ServerDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Audit"] = ConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The benchmarks measure capacity, not the per-caller limits: those are lifted here.
        foreach (var limit in new[] { "FailedAuthPerMinute", "ReadsPerSecond", "ReadBurst", "IngestBatchesPerSecond", "IngestBurst" })
            start.Environment[$"Stoa__Limits__{limit}"] = "1000000";
        foreach (var (name, value) in Settings) start.Environment[name] = value;
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Stoa.Dashboard.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Run from the repository.");
    }

    private void RunOnServer(string sql)
    {
        using var connection = new NpgsqlConnection(_postgresServer);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _services?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (OnPostgres)
        {
            NpgsqlConnection.ClearAllPools();
            if (!_keep) RunOnServer($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} WITH (FORCE)");
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class Server(Process process, Uri baseAddress) : IDisposable
{
    public Uri BaseAddress => baseAddress;
    public int ProcessId => process.Id;

    public async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException("The server exited at start.");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100); // polling a server that is starting: there is nothing to await instead
        }
        throw new TimeoutException("The server did not become healthy within 60 s.");
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }
}
