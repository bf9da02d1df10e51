using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Ingest;

namespace Stoa.Dashboard.Storage;

/// <summary>Where the events are kept: <c>Stoa:Store:Provider</c>.</summary>
public enum StoreProvider
{
    /// <summary>One file, nothing to install: the default.</summary>
    Sqlite,
    /// <summary>A PostgreSQL server, for stores and traffic one file and one process outgrow.</summary>
    Postgres,
}

public static class StorageExtensions
{
    /// <summary>
    /// The audit store: EF Core over SQLite (by default) or PostgreSQL (<c>Stoa:Store:Provider</c> =
    /// <c>postgres</c>). <c>ConnectionStrings:Audit</c> names the store: for SQLite the file (by
    /// default <c>App_Data/audit.db</c> under the content root), for PostgreSQL the server and database.
    /// </summary>
    public static IServiceCollection AddAuditStore(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var provider = Provider(configuration);
        var connectionString = ConnectionString(configuration, environment);
        Directory.CreateDirectory(StoreFolder(configuration, environment));
        services.AddSingleton(new StoreSettings(provider, connectionString));
        if (provider == StoreProvider.Postgres)
        {
            services.AddDbContextFactory<PostgresAuditDbContext>(options => options.UseNpgsql(connectionString));
            services.AddSingleton<IDbContextFactory<AuditDbContext>, StoreContextFactory<PostgresAuditDbContext>>();
            services.AddSingleton<IWriterConnection, PostgresWriterConnection>();
            services.AddSingleton<RequestPartitions>();
            services.AddHostedService<RequestPartitionsService>();
            // Several instances: a cookie or antiforgery token one issued must open on another, so they share the key ring.
            services.AddSingleton<KeyRingSecret>();
            services.AddDataProtection().SetApplicationName("Stoa.Dashboard").PersistKeysToDbContext<PostgresAuditDbContext>();
            services.AddOptions<KeyManagementOptions>().Configure<KeyRingSecret>((o, secret) => o.XmlEncryptor = new KeyRingEncryptor(secret));
        }
        else
        {
            var durability = new SqliteDurability(configuration.GetValue<long>("Stoa:Store:MaxSizeMegabytes"));
            services.AddSingleton(durability);
            services.AddDbContextFactory<AuditDbContext>(options => options
                .UseSqlite(connectionString)
                .AddInterceptors(durability));
            services.AddSingleton<IWriterConnection, SqliteWriterConnection>();
        }
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<StoreLeases>();
        return services;
    }

    public static StoreProvider Provider(IConfiguration configuration) => configuration["Stoa:Store:Provider"] switch
    {
        null or "" => StoreProvider.Sqlite,
        var name when Enum.TryParse<StoreProvider>(name, ignoreCase: true, out var provider) && !char.IsDigit(name[0]) => provider,
        var name => throw new InvalidOperationException($"Stoa:Store:Provider is '{name}': it is sqlite (the default) or postgres."),
    };

    private static string ConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString("Audit");
        if (Provider(configuration) == StoreProvider.Postgres)
            return string.IsNullOrWhiteSpace(connectionString)
                ? throw new InvalidOperationException("Stoa:Store:Provider is postgres: set ConnectionStrings:Audit to the server (Host=…;Database=…;Username=…).")
                : WithoutJit(connectionString);
        if (!string.IsNullOrWhiteSpace(connectionString)) return connectionString;
        return $"Data Source={Path.Combine(environment.ContentRootPath, "App_Data", "audit.db")}";
    }

    /// <summary>
    /// The app's PostgreSQL sessions compile no query to machine code (<c>jit=off</c>), unless the
    /// connection string's <c>Options</c> say otherwise. PostgreSQL compiles any query its planner costs
    /// above <c>jit_above_cost</c>, as it costs triage's read of half a day of hourly rollups: compiling
    /// took 10 ms and more of a 30 ms read, and no dashboard read runs long enough to win it back.
    /// </summary>
    public static string WithoutJit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true) builder.Options = $"{builder.Options} -c jit=off".Trim();
        return builder.ConnectionString;
    }

    /// <summary>Where <paramref name="folder"/> is: where its setting says (relative to the content root), or by default beside the store.</summary>
    public static string FolderBesideStore(IConfiguration configuration, IHostEnvironment environment, BesideStore folder) =>
        configuration[folder.Key] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, environment.ContentRootPath)
            : Path.Combine(StoreFolder(configuration, environment), folder.Name);

    /// <summary>
    /// The folder of what lives beside the store (signing keys, archive, secrets): the SQLite file's
    /// folder, or with PostgreSQL <c>Stoa:Store:Folder</c> (by default <c>App_Data</c> under the content root).
    /// </summary>
    public static string StoreFolder(IConfiguration configuration, IHostEnvironment environment) => Provider(configuration) switch
    {
        StoreProvider.Postgres => Path.GetFullPath(configuration["Stoa:Store:Folder"] is { Length: > 0 } folder ? folder : "App_Data",
            environment.ContentRootPath),
        _ => Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString(configuration, environment)).DataSource))!,
    };

/// <summary>Applies pending migrations; the app serves nothing before the schema is current.</summary>
    public static async Task MigrateAuditStoreAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        if (services.GetRequiredService<StoreSettings>().Provider == StoreProvider.Postgres)
        {
            services.GetRequiredService<KeyRingSecret>(); // a bad secret stops the start
            services.GetRequiredService<RequestPartitions>().EnsureAhead();
        }
        await ChainBackfill.RunAsync(factory, services.GetRequiredService<ILoggerFactory>().CreateLogger(nameof(ChainBackfill)));
        services.GetRequiredService<StoreHealth>().Migrated = true;
    }
}

/// <summary>What <c>/healthz</c> reports: migrated at start, reachable now, and whether the last write could be stored.</summary>
public sealed class StoreHealth(IDbContextFactory<AuditDbContext> factory)
{
    private volatile string? _writeFailure;

    public bool Migrated { get; set; }

    /// <summary>Why the store cannot be written, from the last write that failed for it (null once one succeeds again).</summary>
    public string? WriteFailure => _writeFailure;

    public void WriteFailed(string reason) => _writeFailure = reason;

    public void WriteSucceeded() => _writeFailure = null;

    /// <summary>The store's trouble in a sentence, or null when it is healthy.</summary>
    public async Task<string?> ProblemAsync(CancellationToken ct)
    {
        if (!Migrated) return "The store is not migrated yet.";
        if (_writeFailure is { } failure) return failure;
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            return await db.Database.CanConnectAsync(ct) ? null : "The store cannot be opened.";
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            return "The store cannot be opened.";
        }
    }

    /// <summary>
    /// Why the store cannot take writes now (full disk, I/O error, read-only, unreachable server), from
    /// the failure a write met; null for anything else, such as a bad batch.
    /// </summary>
    public static string? Unwritable(Exception e) => e switch
    {
        DbUpdateException { InnerException: { } inner } => Unwritable(inner),
        SqliteException sqlite => sqlite.SqliteErrorCode switch
        {
            13 => Full, // SQLITE_FULL
            10 => "The store cannot be written: an I/O error.", // SQLITE_IOERR
            8 => "The store cannot be written: the file is read-only.", // SQLITE_READONLY
            _ => null,
        },
        PostgresException postgres => postgres.SqlState switch
        {
            PostgresErrorCodes.DiskFull or PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.OutOfMemory => Full,
            PostgresErrorCodes.ReadOnlySqlTransaction => "The store cannot be written: the database is read-only.",
            PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections =>
                "The store cannot be reached: the database server is not taking connections.",
            _ => null,
        },
        NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException or TimeoutException } =>
            "The store cannot be reached: no connection to the database server.",
        _ => null,
    };

    private const string Full = "The store is full: the disk (or Stoa:Store:MaxSizeMegabytes) has no room for more events.";
}

/// <summary>Which store the app runs on, and where.</summary>
public sealed record StoreSettings(StoreProvider Provider, string ConnectionString)
{
    /// <summary>This process among the instances that share the store (<c>machine/pid/random</c>): lease holders and commit notifications name it.</summary>
    public string Instance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}

/// <summary>The app asks for contexts of the shared model; on PostgreSQL they are its own type (for its migrations).</summary>
public sealed class StoreContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<AuditDbContext>
    where TContext : AuditDbContext
{
    public AuditDbContext CreateDbContext() => inner.CreateDbContext();
}

/// <summary>A folder that lives beside the store: the setting that may put it elsewhere, and its default name.</summary>
public sealed record BesideStore(string Key, string Name)
{
    public static readonly BesideStore SigningKeys = new("Stoa:Evidence:KeyDirectory", "signing-keys");
    public static readonly BesideStore Archive = new("Stoa:Retention:ArchiveDirectory", "archive");
    public static readonly BesideStore DestinationSecrets = new("Stoa:Forwarding:SecretDirectory", "destination-secrets");

    /// <summary>Every one: what moves with the store when it moves (<see cref="SqliteImport"/>).</summary>
    public static readonly BesideStore[] All = [SigningKeys, Archive, DestinationSecrets];
}
