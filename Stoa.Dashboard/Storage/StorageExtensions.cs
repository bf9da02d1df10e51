using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

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
        var connectionString = configuration.GetConnectionString("Audit");
        if (string.IsNullOrWhiteSpace(connectionString))
            connectionString = $"Data Source={Path.Combine(environment.ContentRootPath, "App_Data", "audit.db")}";

        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);

        services.AddDbContextFactory<AuditDbContext>(options => options
            .UseSqlite(connectionString)
            .AddInterceptors(new SqliteDurability()));
        services.AddSingleton<StoreHealth>();
        return services;
    }

    /// <summary>Applies pending migrations; the app serves nothing before the schema is current.</summary>
    public static async Task MigrateAuditStoreAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        services.GetRequiredService<StoreHealth>().Migrated = true;
    }
}

/// <summary>What <c>/healthz</c> reports: migrated at start, and reachable now.</summary>
public sealed class StoreHealth(IDbContextFactory<AuditDbContext> factory)
{
    public bool Migrated { get; set; }

    public async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        if (!Migrated) return false;
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            return await db.Database.CanConnectAsync(ct);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            return false;
        }
    }
}
