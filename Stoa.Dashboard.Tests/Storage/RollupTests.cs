using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>Every pre-aggregated answer equals the answer computed from the raw events.</summary>
public sealed class RollupTests(StoaApp app) : IClassFixture<StoaApp>
{
    private const long HourMs = 3_600_000, DayMs = 24 * HourMs;
    private static readonly int[] Statuses = [200, 200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 503];

    /// <summary>Three days of events sent in batches that straddle hour and day edges, out of order (late events), with resends (duplicates).</summary>
    private async Task<(string Tenant, long Start)> SeedAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var events = Enumerable.Range(0, 3000).Select(i =>
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(start + random.NextInt64(3 * DayMs));
            var e = Wire.Request($"r{i}", at, consumer: $"cons_{random.Next(7)}", status: Statuses[random.Next(Statuses.Length)]);
            e["request_size_bytes"] = random.Next(0, 5000);
            e["response_size_bytes"] = random.Next(0, 90000);
            e["latency_ms"] = random.Next(1, 400);
            if (random.Next(4) > 0) e["key_id"] = $"key_{random.Next(3)}";
            e["method"] = random.Next(4) == 0 ? "POST" : "GET";
            e["path"] = random.Next(3) == 0 ? $"/api/éléments/{random.Next(30)}" : $"/api/items/{random.Next(30)}"; // non-ASCII too
            return (JsonNode)e;
        }).ToList();
        for (var i = 0; i < events.Count; i += 250)
        {
            var batch = events.Skip(i).Take(250).ToArray();
            await client.IngestAsync(tenant, batch);
            if (i % 1000 == 0) Assert.Equal((0, batch.Length), await client.IngestAsync(tenant, batch)); // resent whole: all duplicates
            if (i >= 250) await client.IngestAsync(tenant, [.. events.Skip(i - 10).Take(10), Wire.Request($"extra{i}", DateTimeOffset.FromUnixTimeMilliseconds(start + i * 1000L))]);
        }
        return (tenant, start);
    }

    private async Task<AuditDbContext> DbAsync() =>
        await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();

    public static TheoryData<long, long> Windows => new()
    {
        { 0, 3 * DayMs },                                  // everything, aligned
        { 0, HourMs },                                     // one whole hour
        { 90_000, HourMs - 1 },                            // inside one hour: no whole hour at all
        { 17 * 60_000 + 42_123, 2 * DayMs + 5 * 60_000 },  // ragged on both ends, across days
        { DayMs - 1, DayMs + 1 },                          // two milliseconds across midnight
        { 5 * HourMs + 1, 29 * HourMs },                   // ragged start, aligned end
        { -DayMs, DayMs / 2 },                             // starting before any event
        { 2 * HourMs + 7, 2 * DayMs - 2 * HourMs - 5 },    // 21 h runs on both sides: read as days minus hours
        { 30 * HourMs + 60_000, 54 * HourMs + 60_000 },     // 24 h ending mid-day, as triage asks
        { 10 * HourMs + 45 * 60_000, 12 * HourMs + 50 * 60_000 }, // long edges: each hour minus the rest of it
        { 3 * HourMs + 5 * 60_000, 3 * HourMs + 55 * 60_000 },     // 50 minutes inside one hour: that hour minus 10 minutes
        { 40 * HourMs, 41 * HourMs + 59 * 60_000 + 59_999 },       // a last hour all but a millisecond long
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task By_consumer_and_status_equals_a_full_scan(long fromOffset, long toOffset)
    {
        var (tenant, start) = await SeededAsync();
        await using var db = await DbAsync();
        var (from, to) = (start + fromOffset, start + toOffset);
        foreach (var scope in new[] { new AuditScope(tenant, null), new AuditScope(tenant, new HashSet<string> { "cons_1", "cons_4" }) })
        {
            var fast = await RollupQueries.ByConsumerAndStatusAsync(db, scope, from, to);
            var raw = await db.Requests(scope).Where(r => r.TimestampMs >= from && r.TimestampMs < to)
                .GroupBy(r => new { r.ConsumerId, r.StatusCode })
                .Select(g => new { g.Key.ConsumerId, g.Key.StatusCode, N = g.LongCount(), In = g.Sum(r => r.RequestSizeBytes), Out = g.Sum(r => r.ResponseSizeBytes) })
                .ToListAsync();
            Assert.Equal(
                raw.Select(r => $"{r.ConsumerId}/{r.StatusCode}:{r.N}/{r.In}/{r.Out}").Order(),
                fast.Select(r => $"{r.ConsumerId}/{r.StatusCode}:{r.Requests}/{r.BytesIn}/{r.BytesOut}").Order());
        }
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task By_day_and_by_hour_equal_a_full_scan(long fromOffset, long toOffset)
    {
        var (tenant, start) = await SeededAsync();
        await using var db = await DbAsync();
        var (from, to) = (start + fromOffset, start + toOffset);
        var scope = new AuditScope(tenant, null);
        foreach (var bucket in new[] { HourMs, DayMs })
        {
            var fast = await RollupQueries.ByBucketAndStatusAsync(db, scope, from, to, bucket, consumerId: "cons_3");
            var raw = await db.Requests(scope).Where(r => r.ConsumerId == "cons_3" && r.TimestampMs >= from && r.TimestampMs < to)
                .GroupBy(r => new { B = r.TimestampMs / bucket, r.StatusCode })
                .Select(g => new { g.Key.B, g.Key.StatusCode, N = g.LongCount(), Out = g.Sum(r => r.ResponseSizeBytes) })
                .ToListAsync();
            Assert.Equal(
                raw.Select(r => $"{r.B * bucket}/{r.StatusCode}:{r.N}/{r.Out}").Order(),
                fast.Select(r => $"{r.BucketMs}/{r.StatusCode}:{r.Requests}/{r.BytesOut}").Order());
        }
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task Consumer_profile_equals_a_full_scan(long fromOffset, long toOffset)
    {
        var (tenant, start) = await SeededAsync();
        await using var db = await DbAsync();
        var (from, to) = (start + fromOffset, start + toOffset);
        var scope = new AuditScope(tenant, null);
        var profile = (await ConsumerProfile.LoadAsync(db, scope, "cons_2", new TimeWindow(from, to)))!;
        var rows = await db.Requests(scope).Where(r => r.ConsumerId == "cons_2" && r.TimestampMs >= from && r.TimestampMs < to).ToListAsync();

        Assert.Equal(rows.Count, profile.Mix.Requests);
        Assert.Equal(rows.CountBy(r => r.Method).Select(m => $"{m.Key}:{m.Value}").Order(), profile.Methods.Select(m => $"{m.Name}:{m.Count}").Order());
        Assert.Equal(rows.CountBy(r => r.Path).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10)
            .Select(p => $"{p.Key}:{p.Value}"), profile.TopPaths.Select(p => $"{p.Name}:{p.Count}"));
        var latencies = rows.Select(r => r.LatencyMs).Order().ToList();
        Assert.Equal(latencies.Count == 0 ? 0 : latencies[(int)Math.Ceiling(0.95 * latencies.Count) - 1], profile.LatencyP95);
        Assert.Equal(latencies.Count == 0 ? 0 : latencies[(int)Math.Ceiling(0.50 * latencies.Count) - 1], profile.LatencyP50);
        Assert.Equal(rows.Sum(r => r.ResponseSizeBytes), profile.BytesOut);
        Assert.Equal(rows.Where(r => r.KeyId != null).Select(r => r.KeyId!).Distinct().Order(StringComparer.Ordinal), profile.KeyIds);
    }

    [Fact]
    public async Task Rollups_kept_at_ingest_equal_a_rebuild_from_the_events()
    {
        var (tenant, _) = await SeededAsync();
        await using var db = await DbAsync();
        foreach (var span in RollupQueries.Spans)
        {
            var kept = await db.RequestRollups.Where(r => r.TenantId == tenant && r.SpanMs == span)
                .Select(r => $"{r.BucketMs}/{r.ConsumerId}/{r.StatusCode}/{r.ConsumerName}:{r.Requests}/{r.BytesIn}/{r.BytesOut}").ToListAsync();
            var rebuilt = await db.Requests.Where(r => r.TenantId == tenant)
                .GroupBy(r => new { B = r.TimestampMs / span * span, r.ConsumerId, r.StatusCode })
                .Select(g => new { g.Key.B, g.Key.ConsumerId, g.Key.StatusCode, Name = g.Max(r => r.ConsumerName), N = g.LongCount(), In = g.Sum(r => r.RequestSizeBytes), Out = g.Sum(r => r.ResponseSizeBytes) })
                .ToListAsync();
            Assert.Equal(rebuilt.Select(r => $"{r.B}/{r.ConsumerId}/{r.StatusCode}/{r.Name}:{r.N}/{r.In}/{r.Out}").Order(), kept.Order());
        }
        Assert.Equal(3000 + 11, await db.Requests.CountAsync(r => r.TenantId == tenant)); // 3,000 and the 11 extras, no duplicate
    }

    [Fact]
    public void Windows_are_cut_into_edges_hours_and_days_that_tile_them_exactly()
    {
        var from = new DateTimeOffset(2026, 3, 8, 22, 47, 42, 123, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var to = new DateTimeOffset(2026, 3, 11, 2, 5, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var segments = RollupQueries.Split(from, to);
        Assert.Equal([0L, RollupQueries.TenMinutesMs, HourMs, DayMs, HourMs, 0L], segments.Select(s => s.SpanMs));
        Assert.Equal(from, segments[0].FromMs);
        Assert.Equal(to, segments[^1].ToMs);
        for (var i = 1; i < segments.Count; i++) Assert.Equal(segments[i - 1].ToMs, segments[i].FromMs);
        Assert.Equal(2 * DayMs, segments[3].ToMs - segments[3].FromMs);
        Assert.Equal([0L], RollupQueries.Split(from, from + 60_000).Select(s => s.SpanMs));
    }

    [Theory]
    [InlineData("2026-03-08T22:17:42.123Z", "2026-03-11T02:55:00.000Z")] // long edges on both sides
    [InlineData("2026-03-08T22:05:00.000Z", "2026-03-08T22:50:00.000Z")] // 45 minutes inside one hour
    [InlineData("2026-03-08T22:40:00.000Z", "2026-03-08T23:20:00.000Z")] // across the top of an hour
    [InlineData("2026-03-08T22:56:00.000Z", "2026-03-08T23:03:00.000Z")] // seven minutes across ten-minute edges: raw
    [InlineData("2026-03-08T03:00:00.001Z", "2026-03-09T16:59:59.999Z")] // a millisecond short of whole hours
    public void A_long_edge_is_its_ten_minutes_minus_the_rest_and_every_cut_counts_each_instant_once(string fromText, string toText)
    {
        var (from, to) = (DateTimeOffset.Parse(fromText).ToUnixTimeMilliseconds(), DateTimeOffset.Parse(toText).ToUnixTimeMilliseconds());
        foreach (var segments in new[] { RollupQueries.Split(from, to), RollupQueries.SplitWithComplements(from, to) })
        {
            Assert.All(segments.Where(s => s.SpanMs == 0), s => Assert.True(s.ToMs - s.FromMs <= 5 * 60_000 || s.Sign > 0 && Floor(s.FromMs) != Floor(s.ToMs - 1),
                $"a raw edge of {(s.ToMs - s.FromMs) / 60_000} minutes"));
            // Every instant from an hour before to an hour after: counted once inside the window, never outside it.
            for (var t = from - HourMs; t < to + HourMs; t += 60_001)
                Assert.Equal(t >= from && t < to ? 1 : 0, segments.Where(s => s.FromMs <= t && t < s.ToMs).Sum(s => s.Sign));
            foreach (var t in new[] { from - 1, from, to - 1, to })
                Assert.Equal(t >= from && t < to ? 1 : 0, segments.Where(s => s.FromMs <= t && t < s.ToMs).Sum(s => s.Sign));
            // One query where one will do: no segment goes on where the one before it ends in the same span and sign.
            Assert.DoesNotContain(segments.Zip(segments.Skip(1)), p => p.First.SpanMs == p.Second.SpanMs && p.First.Sign == p.Second.Sign && p.First.ToMs == p.Second.FromMs);
        }

        static long Floor(long ms) => ms / RollupQueries.TenMinutesMs * RollupQueries.TenMinutesMs;
    }

    [Fact]
    public void A_day_is_read_as_the_day_minus_the_rest_of_it_where_that_reads_fewer_buckets()
    {
        const long SixHoursMs = RollupQueries.SixHoursMs;
        var day = new DateTimeOffset(2026, 3, 9, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var (from, to) = (day - 7 * HourMs + 123, day + 16 * HourMs + 456); // 23 h ending at 16:00 and a bit
        var segments = RollupQueries.SplitWithComplements(from, to).Select(s => (s.SpanMs, s.FromMs, s.ToMs, s.Sign)).ToList();
        Assert.Equal(
        [
            (SixHoursMs, day - 6 * HourMs, day, 1),             // 18:00–24:00 before midnight: one six hours
            (DayMs, day, day + DayMs, 1),                       // 00:00–16:00 after it (six buckets): the day...
            (HourMs, day + 16 * HourMs, day + 18 * HourMs, -1), // ...minus 16:00–18:00...
            (SixHoursMs, day + 18 * HourMs, day + DayMs, -1),   // ...and 18:00–24:00: four buckets
        ], segments.Where(s => s.SpanMs >= HourMs));
        Assert.True(segments.Where(s => s.SpanMs == 0).Sum(s => s.ToMs - s.FromMs) < 1000, "hardly anything read from the events");
    }

    private Task<(string, long)> SeededAsync() => _seed ??= SeedAsync();
    private static Task<(string, long)>? _seed;
}
