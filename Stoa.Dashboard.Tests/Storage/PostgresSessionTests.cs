using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>The sessions the app opens on PostgreSQL: its queries and its writer's.</summary>
public sealed class PostgresSessionTests : IAsyncLifetime
{
    private readonly StoaApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [PostgresFact]
    public async Task The_apps_queries_and_its_writer_run_without_jit_compilation()
    {
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync())
            Assert.Equal("off", await db.Database.SqlQueryRaw<string>("SELECT current_setting('jit') AS \"Value\"").SingleAsync());
        await using var writer = new NpgsqlConnection(_app.Services.GetRequiredService<StoreSettings>().ConnectionString);
        await writer.OpenAsync();
        Assert.Equal("off", await new NpgsqlCommand("SHOW jit", writer).ExecuteScalarAsync());
    }

    [Fact]
    public void A_connection_string_that_sets_jit_itself_keeps_its_setting()
    {
        var ownSetting = new NpgsqlConnectionStringBuilder(StorageExtensions.WithoutJit("Host=db;Database=audit;Options=-c jit=on"));
        Assert.Equal("-c jit=on", ownSetting.Options);
        var otherOptions = new NpgsqlConnectionStringBuilder(StorageExtensions.WithoutJit("Host=db;Database=audit;Options=-c statement_timeout=5000"));
        Assert.Equal("-c statement_timeout=5000 -c jit=off", otherOptions.Options);
    }
}
