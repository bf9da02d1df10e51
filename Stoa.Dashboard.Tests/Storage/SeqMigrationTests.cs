using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>A store written before arrival numbers existed gets them when it is migrated: per tenant, in time order, and the writer continues after them.</summary>
public sealed class SeqMigrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-migration-").FullName;

    [Fact]
    public async Task Events_stored_before_seq_are_numbered_per_tenant_in_time_order()
    {
        var options = new DbContextOptionsBuilder<AuditDbContext>().UseSqlite($"Data Source={Path.Combine(_folder, "audit.db")}").Options;
        await using var db = new AuditDbContext(options);
        await db.GetService<IMigrator>().MigrateAsync("20261128160343_EntraGrants"); // the last schema without seq
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO tenants (tenant_id, created_at_ms) VALUES ('a', 0);
            INSERT INTO request_events (tenant_id, request_id, timestamp, consumer_id, consumer_name, api_id, method, path, status_code,
                latency_ms, request_size_bytes, response_size_bytes, gateway_version, datacenter)
            VALUES ('a', 'r-late', 3000, 'c', 'c', 'api', 'GET', '/', 200, 1, 1, 1, 'gw', 'dc'),
                   ('a', 'r-early', 1000, 'c', 'c', 'api', 'GET', '/', 200, 1, 1, 1, 'gw', 'dc'),
                   ('b', 'r-b', 500, 'c', 'c', 'api', 'GET', '/', 200, 1, 1, 1, 'gw', 'dc');
            INSERT INTO security_events (tenant_id, event_id, event_type, timestamp, actor, target, outcome)
            VALUES ('a', 's1', 'auth_failed', 2000, 'x', 'y', 'failure'), ('a', 's0', 'auth_failed', 1000, 'x', 'y', 'failure');
            INSERT INTO business_events (tenant_id, event_id, timestamp, action, resource_type, resource_id, actor_id)
            VALUES ('a', 'b1', 1000, 'updated', 'doc', '1', 'c');
            """);

        await db.Database.MigrateAsync();

        var a = new AuditScope("a", null);
        var order = (await db.Requests(a).Select(e => new { e.Seq, Key = e.RequestId }).ToListAsync())
            .Concat(await db.Security(a).Select(e => new { e.Seq, Key = e.EventId }).ToListAsync())
            .Concat(await db.Business(a).Select(e => new { e.Seq, Key = e.EventId }).ToListAsync())
            .OrderBy(e => e.Seq).ToList();
        // Time order; at the same millisecond request, then security, then business.
        Assert.Equal(["r-early", "s0", "b1", "s1", "r-late"], order.Select(e => e.Key));
        Assert.Equal([1L, 2, 3, 4, 5], order.Select(e => e.Seq));
        Assert.Equal(1, await db.Requests(new AuditScope("b", null)).Select(e => e.Seq).SingleAsync());
        Assert.Equal(5, await db.Tenants.Where(t => t.TenantId == "a").Select(t => t.LastSeq).SingleAsync());
        Assert.Equal(1, await db.Tenants.Where(t => t.TenantId == "b").Select(t => t.LastSeq).SingleAsync()); // a tenant row made for it
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
