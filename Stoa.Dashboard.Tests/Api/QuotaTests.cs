using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

public sealed class QuotaTests(StoaApp app) : IClassFixture<StoaApp>
{
    [Fact]
    public async Task Daily_rows_cover_every_day_with_exact_sums()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var today = new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero); // the clock reads 12:00 that day
        var twoDaysAgo = today.AddDays(-2).AddHours(23).AddMinutes(59);
        await client.IngestAsync(tenant,
            Wire.Request("q1", twoDaysAgo, consumer: "cons_a", status: 200),
            Wire.Request("q2", today.AddHours(1), consumer: "cons_a", status: 429),
            Wire.Request("q3", today.AddHours(2), consumer: "cons_b", status: 503),
            Wire.Request("q4", today.AddHours(3), consumer: "cons_b", status: 201),
            Wire.Request("q5", today.AddHours(4), consumer: "cons_b", status: 200),
            Wire.Request("old", today.AddDays(-29), consumer: "cons_c"), // first day of the default 30
            Wire.Request("older", today.AddDays(-30).AddHours(23), consumer: "cons_c"));

        var stats = await client.GetJsonAsync($"/v1/quotas/{tenant}/stats?days=3");

        Assert.Equal("2026-03-09T00:00:00.000Z", (string?)stats["from"]);
        Assert.Equal("2026-03-11T12:00:00.000Z", (string?)stats["to"]);
        Assert.Equal(5, (int)stats["total_requests"]!);
        var daily = stats["daily"]!.AsArray();
        Assert.Equal(["2026-03-09", "2026-03-10", "2026-03-11"], daily.Select(d => (string?)d!["date"]));
        Assert.Equal([1, 0, 4], daily.Select(d => (int)d!["requests"]!));
        Assert.Equal(2, (int)daily[2]!["errors"]!);
        Assert.Equal(1, (int)daily[2]!["rate_limited"]!);
        Assert.Equal(400, (long)daily[2]!["bytes_in"]!);
        Assert.Equal(8000, (long)daily[2]!["bytes_out"]!);
        Assert.Equal(["cons_b", "cons_a"], stats["top_consumers"]!.AsArray().Select(c => (string?)c!["consumer_id"]));
        Assert.Equal("cons_b-name", (string?)stats["top_consumers"]![0]!["consumer_name"]);

        var one = await client.GetJsonAsync($"/v1/quotas/{tenant}/stats?days=3&consumer_id=cons_a");
        Assert.Equal(2, (int)one["total_requests"]!);
        var byDefault = await client.GetJsonAsync($"/v1/quotas/{tenant}/stats");
        Assert.Equal(30, byDefault["daily"]!.AsArray().Count);
        Assert.Equal(6, (int)byDefault["total_requests"]!);
        await (await client.GetAsync($"/v1/quotas/{tenant}/stats?days=0")).ProblemAsync(400);
        await (await client.GetAsync($"/v1/quotas/{tenant}/stats?limit=5")).ProblemAsync(400);
    }

    [Fact]
    public async Task Health_answers_once_the_store_is_migrated()
    {
        var response = await app.CreateClient().GetAsync("/healthz");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("ok", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]);
    }
}

/// <summary>Byte sums past the largest long (values an earlier version let in) saturate instead of failing the answer.</summary>
public sealed class SaturatingSumTests(StoaApp app) : IClassFixture<StoaApp>
{
    [Fact]
    public async Task Quotas_over_rollups_that_add_up_past_long_max_answer_with_the_largest_number()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddHours(-3)));
        var day = StoaApp.Epoch.ToUnixTimeMilliseconds() / 86_400_000 * 86_400_000;
        await using (var db = await app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Stoa.Dashboard.Storage.AuditDbContext>>().CreateDbContextAsync())
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, """
                INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
                VALUES ({0}, 3600000, {1}, 'cons_big', 200, 'big', 1, 4611686018427387904, 1),
                       ({0}, 3600000, {2}, 'cons_big', 200, 'big', 1, 4611686018427387904, 1),
                       ({0}, 21600000, {3}, 'cons_big', 200, 'big', 2, 9223372036854775807, 2),
                       ({0}, 86400000, {3}, 'cons_big', 200, 'big', 2, 9223372036854775807, 2)
                """, tenant, day + 3_600_000, day + 2 * 3_600_000, day); // the six hours and the day hold them too, saturated as the writer adds

        var stats = await client.GetJsonAsync($"/v1/quotas/{tenant}/stats?days=1");

        Assert.Equal(long.MaxValue, (long)stats["daily"]![0]!["bytes_in"]!);
        Assert.Equal(3, (long)stats["total_requests"]!);
    }
}
