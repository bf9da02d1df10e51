using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>Every stored event gets the tenant's next arrival number: 1, 2, 3, … across the three kinds, never reused, no gaps.</summary>
public sealed class ArrivalSequenceTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly long T0 = StoaApp.Epoch.ToUnixTimeMilliseconds() - AuditTime.HourMs;

    private static AuditEvent Event(string tenant, int i) => (i % 3) switch
    {
        0 => new RequestEvent
        {
            TenantId = tenant, RequestId = $"r{i}", TimestampMs = T0 + i, ConsumerId = "cons_a", ConsumerName = "a", ApiId = "api",
            Method = "GET", Path = "/p", StatusCode = 200, LatencyMs = 1, RequestSizeBytes = 1, ResponseSizeBytes = 1, GatewayVersion = "gw", Datacenter = "dc",
        },
        1 => new SecurityEvent { TenantId = tenant, EventId = $"s{i}", Type = "auth_failed", TimestampMs = T0 + i, Actor = "1.2.3.4", Target = "k", Outcome = "failure" },
        _ => new BusinessEvent { TenantId = tenant, EventId = $"b{i}", TimestampMs = T0 + i, Action = "updated", ResourceType = "doc", ResourceId = $"{i}", ActorId = "cons_a" },
    };

    [Fact]
    public async Task Concurrent_mixed_batches_get_gapless_increasing_numbers_and_failures_and_duplicates_take_none()
    {
        var (tenant, other) = (StoaApp.NewTenant(), StoaApp.NewTenant());
        var writer = app.Services.GetRequiredService<EventWriter>();
        // 40 batches of mixed kinds over two tenants; each resends 5 events of the one before it (duplicates).
        var batches = Enumerable.Range(0, 40).Select(b => (Tenant: b % 4 == 3 ? other : tenant,
            Events: Enumerable.Range(Math.Max(0, b * 50 - 5), b == 0 ? 50 : 55).ToList())).ToList();
        // Failing batches: their last event breaks a NOT NULL constraint after the others were inserted and numbered.
        var broken = Enumerable.Range(0, 3).Select(f =>
        {
            var events = Enumerable.Range(10_000 + f * 100, 30).Select(i => Event(tenant, i)).ToList();
            ((SecurityEvent)events.Last(e => e is SecurityEvent)).Outcome = null!;
            return events;
        }).ToList();

        var writes = batches.Select(b => Task.Run(() => writer.WriteAsync(b.Tenant, EventBatch.Of(b.Events.Select(i => Event(b.Tenant, i)))))).ToList();
        var failing = broken.Select(events => Task.Run(() => writer.WriteAsync(tenant, EventBatch.Of(events)))).ToList();
        var results = await Task.WhenAll(writes);
        foreach (var failure in failing) await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => failure);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        foreach (var t in new[] { tenant, other })
        {
            var stored = await AllAsync(db, t);
            // One event per distinct key, the duplicates not numbered, the failed batches not at all.
            var distinct = batches.Where(b => b.Tenant == t).SelectMany(b => b.Events).Distinct().Count();
            Assert.Equal(distinct, stored.Count);
            Assert.Equal(Enumerable.Range(1, distinct).Select(n => (long)n), stored.Select(e => e.Seq).Order());
            Assert.Equal(distinct, (await db.Tenants.SingleAsync(x => x.TenantId == t)).LastSeq);
        }
        Assert.Equal(batches.Sum(b => b.Events.Count) - results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates));
        Assert.DoesNotContain(await AllAsync(db, tenant), e => e.TimestampMs - T0 >= 10_000); // nothing of the failed batches
    }

    [Fact]
    public async Task Numbers_follow_the_order_of_commits_and_the_order_of_events_in_a_batch()
    {
        var tenant = StoaApp.NewTenant();
        var writer = app.Services.GetRequiredService<EventWriter>();
        await writer.WriteAsync(tenant, EventBatch.Of(new[] { 5, 1, 3 }.Select(i => Event(tenant, i))));
        await writer.WriteAsync(tenant, EventBatch.Of(new[] { 2, 1, 4 }.Select(i => Event(tenant, i)))); // 1 is a duplicate

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var bySeq = (await AllAsync(db, tenant)).OrderBy(e => e.Seq).Select(e => e.TimestampMs - T0).ToList();
        Assert.Equal([5, 1, 3, 2, 4], bySeq);
    }

    [Fact]
    public async Task Committed_events_reach_live_watchers_with_their_row_id_and_seq()
    {
        var tenant = StoaApp.NewTenant();
        var writer = app.Services.GetRequiredService<EventWriter>();
        var seen = new TaskCompletionSource<CommittedBatch>();
        writer.Committed += Watch;
        try
        {
            await writer.WriteAsync(tenant, EventBatch.Of(Enumerable.Range(0, 3).Select(i => Event(tenant, i))));
            var batch = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
            var stored = await AllAsync(db, tenant);
            Assert.Equal(stored.OrderBy(e => e.Seq).Select(e => (e.Kind, e.Id, e.Seq)), batch.Events.Select(e => (e.Kind, e.Id, e.Seq)));
            Assert.All(batch.Events, e => Assert.NotEqual(0, e.Id));
        }
        finally
        {
            writer.Committed -= Watch;
        }

        void Watch(CommittedBatch batch)
        {
            if (batch.TenantId == tenant) seen.TrySetResult(batch);
        }
    }

    private static async Task<List<AuditEvent>> AllAsync(AuditDbContext db, string tenant)
    {
        var scope = new AuditScope(tenant, null);
        var all = new List<AuditEvent>();
        all.AddRange(await db.Requests(scope).AsNoTracking().ToListAsync());
        all.AddRange(await db.Security(scope).AsNoTracking().ToListAsync());
        all.AddRange(await db.Business(scope).AsNoTracking().ToListAsync());
        return all;
    }
}
