using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// The store's model on PostgreSQL, with its own migrations (Storage/PostgresMigrations). Text compares
/// and sorts by its bytes (collation <c>C</c>), as SQLite does, so both stores give the same answers in
/// the same order whatever the database's own locale is. It also keeps the instances' shared Data
/// Protection key ring, encrypted (<see cref="KeyRingEncryptor"/>).
/// </summary>
public sealed class PostgresAuditDbContext(DbContextOptions<PostgresAuditDbContext> options) : AuditDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(string)))
                property.SetCollation("C");
    }
}

/// <summary>For <c>dotnet ef migrations add … --context PostgresAuditDbContext</c>: the model needs no server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAuditDbContext>
{
    public PostgresAuditDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAuditDbContext>().UseNpgsql("Host=localhost").Options);
}
