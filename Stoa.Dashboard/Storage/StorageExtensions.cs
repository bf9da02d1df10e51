using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Evidence;

namespace Stoa.Dashboard.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// The audit store: EF Core over SQLite. <c>ConnectionStrings:Audit</c> names the file; by default
    /// <c>App_Data/audit.db</c> under the content root.
    /// </summary>
    public static IServiceCollection AddAuditStore(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var connectionString = ConnectionString(configuration, environment);
        Directory.CreateDirectory(StoreFolder(configuration, environment));

        var durability = new SqliteDurability(configuration.GetValue<long>("Stoa:Store:MaxSizeMegabytes"));
        services.AddSingleton(durability);
        services.AddDbContextFactory<AuditDbContext>(options => options
            .UseSqlite(connectionString)
            .AddInterceptors(durability));
        services.AddSingleton<StoreHealth>();
        return services;
    }

    private static string ConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString("Audit");
        return string.IsNullOrWhiteSpace(connectionString)
            ? $"Data Source={Path.Combine(environment.ContentRootPath, "App_Data", "audit.db")}"
            : connectionString;
    }

    /// <summary>A folder the settings name (<paramref name="key"/>, relative to the content root), or by default <paramref name="name"/> beside the store.</summary>
    public static string FolderBesideStore(IConfiguration configuration, IHostEnvironment environment, string key, string name) =>
        configuration[key] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, environment.ContentRootPath)
            : Path.Combine(StoreFolder(configuration, environment), name);

    /// <summary>The folder the store's file is in; what lives beside it (signing keys, archive, secrets) defaults to here.</summary>
    public static string StoreFolder(IConfiguration configuration, IHostEnvironment environment) =>
        Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString(configuration, environment)).DataSource))!;

    /// <summary>Applies pending migrations; the app serves nothing before the schema is current.</summary>
    public static async Task MigrateAuditStoreAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
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
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            return "The store cannot be opened.";
        }
    }

    /// <summary>The failures that mean "the store cannot take writes now" (full disk, I/O error, read-only file), not a bad batch.</summary>
    public static string? Unwritable(SqliteException e) => e.SqliteErrorCode switch
    {
        13 => "The store is full: the disk (or Stoa:Store:MaxSizeMegabytes) has no room for more events.", // SQLITE_FULL
        10 => "The store cannot be written: an I/O error.", // SQLITE_IOERR
        8 => "The store cannot be written: the file is read-only.", // SQLITE_READONLY
        _ => null,
    };
}
