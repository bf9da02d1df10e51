using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>Batches written at once share a transaction, and each still lands whole or not at all.</summary>
public sealed class GroupCommitTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static RequestEvent Request(string tenant, string id, long atMs, string consumer) => new()
    {
        TenantId = tenant, RequestId = id, TimestampMs = atMs, ConsumerId = consumer, ConsumerName = consumer, ApiId = "api",
        Method = "GET", Path = "/p", StatusCode = id.Length % 2 == 0 ? 200 : 503, LatencyMs = 5, RequestSizeBytes = 10,
        ResponseSizeBytes = 100, GatewayVersion = "gw", Datacenter = "dc",
    };

    private static EventBatch Batch(IEnumerable<RequestEvent> requests) => EventBatch.Of(requests);

    [Fact]
    public async Task Concurrent_batches_land_whole_a_failing_one_not_at_all_and_the_rollups_agree()
    {
        var tenant = StoaApp.NewTenant();
        var writer = app.Services.GetRequiredService<EventWriter>();
        var start = StoaApp.Epoch.ToUnixTimeMilliseconds() - 3 * AuditTime.HourMs;
        // 40 batches straddling hour edges, each resending 5 events of the one before (duplicates across batches of one group).
        var batches = Enumerable.Range(0, 40).Select(b => Batch(Enumerable.Range(b * 100 - (b > 0 ? 5 : 0), b > 0 ? 105 : 100)
            .Select(i => Request(tenant, $"r{i}", start + i * 170_000L, $"cons_{i % 3}")))).ToList();
        // One batch breaks a NOT NULL constraint on its last event, after 49 good ones were inserted.
        var broken = Batch(Enumerable.Range(0, 50).Select(i => Request(tenant, $"broken{i}", start + i, "cons_x")));
        ((RequestEvent)broken.Events[^1]).Method = null!;

        var writes = batches.Select(b => Task.Run(() => writer.WriteAsync(tenant, b))).ToList();
        var failing = Task.Run(() => writer.WriteAsync(tenant, broken));
        var results = await Task.WhenAll(writes);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => failing);
        Assert.Equal(4000, results.Sum(r => r.Accepted));
        Assert.Equal(39 * 5, results.Sum(r => r.Duplicates));

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var scope = new AuditScope(tenant, null);
        Assert.Equal(4000, await db.Requests(scope).CountAsync());
        Assert.False(await db.Requests(scope).AnyAsync(r => r.ConsumerId == "cons_x"));
        var scanned = await db.Requests(scope).GroupBy(r => new { Hour = r.TimestampMs / AuditTime.HourMs, r.ConsumerId, r.StatusCode })
            .Select(g => new { g.Key.Hour, g.Key.ConsumerId, g.Key.StatusCode, Count = (long)g.Count() }).ToListAsync();
        var rolled = await db.Rollups(scope).Where(r => r.SpanMs == AuditTime.HourMs)
            .Select(r => new { Hour = r.BucketMs / AuditTime.HourMs, r.ConsumerId, r.StatusCode, Count = r.Requests }).ToListAsync();
        Assert.Equal(scanned.OrderBy(s => s.Hour).ThenBy(s => s.ConsumerId).ThenBy(s => s.StatusCode),
            rolled.OrderBy(s => s.Hour).ThenBy(s => s.ConsumerId).ThenBy(s => s.StatusCode));
        Assert.Equal(4000, await db.Rollups(scope).Where(r => r.SpanMs == AuditTime.DayMs).SumAsync(r => r.Requests));
    }
}
