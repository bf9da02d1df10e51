using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

public sealed class DurabilityTests(StoaApp app) : IClassFixture<StoaApp>
{
    [SqliteFact]
    public async Task Every_connection_runs_wal_with_synchronous_full()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();

        Assert.Equal("wal", Pragma(connection, "journal_mode"));
        Assert.Equal("2", Pragma(connection, "synchronous")); // 2 = FULL: a commit is on disk before it returns
        Assert.True(File.Exists(app.DatabasePath));
    }

    [Fact]
    public async Task Migrations_are_applied_and_match_the_model()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration: run 'dotnet ef migrations add'");
    }

    private static string Pragma(System.Data.Common.DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(command.ExecuteScalar())!;
    }
}

public sealed class StoredTypesTests(StoaApp app) : IClassFixture<StoaApp>
{
    [SqliteFact] // PostgreSQL's columns hold only their own type
    public async Task Numbers_are_stored_as_integers_and_text_as_text()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("typed", StoaApp.Epoch.AddMinutes(-1)), Wire.Security("s", StoaApp.Epoch));
        var factory = app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT typeof(timestamp) || ',' || typeof(status_code) || ',' || typeof(latency_ms) || ',' || typeof(path) || ',' || typeof(key_id) FROM request_events WHERE request_id = 'typed'";
        Assert.Equal("integer,integer,integer,text,null", command.ExecuteScalar());
    }
}
