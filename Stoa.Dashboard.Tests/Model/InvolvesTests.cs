using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Model;

/// <summary>
/// "The events of consumer C" means one thing everywhere: the timeline's consumer filter, the
/// consumer profile, the live tail's filter, and what a client of C may see, from the store and live.
/// </summary>
public sealed class InvolvesTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset At = StoaApp.Epoch.AddHours(-2);

    [Fact]
    public async Task Timeline_profile_live_tail_and_client_scope_agree_on_a_consumers_events()
    {
        var tenant = StoaApp.NewTenant();
        var events = new AuditEvent[]
        {
            Make.Request(At, "cons_c", tenant: tenant),
            Make.Request(At.AddSeconds(1), "cons_d", tenant: tenant),
            Make.Security(At.AddSeconds(2), "rate_limit_exceeded", actor: "cons_c", target: "policy_1", tenant: tenant),
            Make.Security(At.AddSeconds(3), "consumer_suspended", actor: "admin", target: "cons_c", outcome: "success", tenant: tenant),
            Make.Security(At.AddSeconds(4), "auth_failed", actor: "10.0.0.1", target: "key_cons_c", tenant: tenant), // names only a key
            Make.Security(At.AddSeconds(5), "auth_failed", actor: "cons_d", target: "key_cons_d", tenant: tenant),
            Make.Business(At.AddSeconds(6), actor: "cons_c", tenant: tenant),
            Make.Business(At.AddSeconds(7), actor: "cons_d", tenant: tenant),
            Make.Business(At.AddSeconds(8), actor: "cons_d", resourceId: "cons_c", tenant: tenant), // about C, by D
        };
        var feed = app.Services.GetRequiredService<LiveFeed>();
        var live = new TaskCompletionSource<IReadOnlyList<AuditEvent>>();
        var clientLive = new TaskCompletionSource<IReadOnlyList<AuditEvent>>();
        var clientScope = new AuditScope(tenant, new HashSet<string> { "cons_c" });
        using (feed.Subscribe(new AuditScope(tenant, null), batch => live.TrySetResult(batch)))
        using (feed.Subscribe(clientScope, batch => clientLive.TrySetResult(batch)))
            await app.Services.GetRequiredService<EventWriter>().WriteAsync(tenant, EventBatch.Of(events));

        // The intended meaning: C's requests, the security events naming C as actor or target, the changes C made.
        long[] expected = [1, 3, 4, 7];

        var tail = new LiveTail(100, new LiveFilter(ConsumerId: "cons_c"), app.Services.GetRequiredService<TimeProvider>());
        tail.Add(await live.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(expected, tail.Shown.Select(e => e.Seq).Order());
        Assert.Equal(expected, (await clientLive.Task.WaitAsync(TimeSpan.FromSeconds(10))).Select(e => e.Seq).Order());

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var window = new TimeWindow(At.AddMinutes(-1).ToUnixTimeMilliseconds(), At.AddMinutes(1).ToUnixTimeMilliseconds());
        var timeline = await Timeline.StreamAsync(db, new AuditScope(tenant, null), window, null, 100, new TimelineFilter("cons_c"));
        Assert.Equal(expected, timeline.Select(e => e.Seq).Order());

        var clientView = await Timeline.StreamAsync(db, clientScope, window, null, 100);
        Assert.Equal(expected, clientView.Select(e => e.Seq).Order());

        var profile = await ConsumerProfile.LoadAsync(db, new AuditScope(tenant, null), "cons_c", window);
        Assert.Equal(timeline.OfType<SecurityEvent>().Select(e => e.Seq).Order(), profile!.Security.Select(e => e.Seq).Order());
        Assert.Equal(timeline.OfType<RequestEvent>().LongCount(), profile.Mix.Requests);
    }
}
