using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>A window from year 1 to year 9999 is answered from the data there is: its size follows the data, not the window.</summary>
public sealed class HugeWindowTests(StoaApp app) : IClassFixture<StoaApp>
{
    private const string Everything = "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z";
    private static readonly DateTimeOffset Day = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task<(HttpClient Client, string Tenant)> ThreeDaysAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant,
            Wire.Request("a", Day.AddHours(5)), Wire.Request("b", Day.AddDays(2).AddHours(1), status: 500),
            Wire.Request("c", Day.AddDays(4)), Wire.Security("s", Day.AddDays(3)));
        return (client, tenant);
    }

    [Fact]
    public async Task Quotas_over_all_time_list_the_days_from_the_first_to_the_last_event()
    {
        var (client, tenant) = await ThreeDaysAsync();
        var response = await client.GetAsync($"/v1/quotas/{tenant}/stats?{Everything}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Length < 5_000, $"{body.Length} bytes");
        var stats = JsonNode.Parse(body)!;
        Assert.Equal(3, (long)stats["total_requests"]!);
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"], stats["daily"]!.AsArray().Select(d => (string?)d!["date"]));
        // A window of a year or less keeps its empty days: a month of quota rows is a month.
        Assert.Equal(30, (await client.GetJsonAsync($"/v1/quotas/{tenant}/stats?days=30"))["daily"]!.AsArray().Count);
    }

    [Fact]
    public async Task Charts_over_all_time_have_a_few_dozen_bars()
    {
        var (_, tenant) = await ThreeDaysAsync();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var scope = new AuditScope(tenant, null);
        var (from, to) = (DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());

        var (_, buckets) = await Timeline.HistogramAsync(db, scope, from, to);
        Assert.InRange(buckets.Count, 1, 61);
        Assert.Equal(3, buckets.Sum(b => b.Total));
        Assert.Equal(1, buckets.Sum(b => b.Status5xx));
        var security = await SecurityOverview.LoadAsync(db, scope, new SecurityFilter(), from, to, 1000);
        Assert.InRange(security.BucketStarts.Count, 1, 61);
        Assert.Equal(1, security.CountsByType["auth_failed"].Sum());
        // Nothing at all in the window: no bars, not millions of empty ones.
        var (_, none) = await Timeline.HistogramAsync(db, new AuditScope(StoaApp.NewTenant(), null), from, to);
        Assert.Empty(none);
    }

    [Theory]
    [InlineData(3_600_000L)]
    [InlineData(7 * 86_400_000L)]
    [InlineData(400 * 86_400_000L)]
    [InlineData(3_000L * 365 * 86_400_000L)]
    [InlineData(long.MaxValue / 2)]
    public void Bucket_widths_grow_with_the_window(long span) => Assert.InRange(span / Buckets.WidthFor(0, span), 1, 61);
}
