using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

public sealed class ReadTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-10);

    private static string[] Ids(JsonNode page, string array = "logs", string field = "request_id") =>
        page[array]!.AsArray().Select(e => (string)e![field]!).ToArray();

    private async Task<(HttpClient Client, string Tenant)> RequestLogAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant,
            Wire.Request("r1", T0, consumer: "cons_a", status: 200, method: "GET", path: "/api/items", api: "items-api"),
            Wire.Request("r2", T0.AddMinutes(1), consumer: "cons_b", status: 404, method: "GET", path: "/api/items/7", api: "items-api"),
            Wire.Request("r3", T0.AddMinutes(2), consumer: "cons_a", status: 500, method: "POST", path: "/api/orders", api: "orders-api"),
            Wire.Request("r4", T0.AddMinutes(3), consumer: "cons_c", status: 429, method: "DELETE", path: "/API/items/8", api: "items-api"),
            Wire.Request("r5", T0.AddMinutes(4), consumer: "cons_a", status: 201, method: "POST", path: "/api/items_x", api: "items-api"));
        return (client, tenant);
    }

    [Theory]
    [InlineData("", "r5,r4,r3,r2,r1")]
    [InlineData("?order=asc", "r1,r2,r3,r4,r5")]
    [InlineData("?consumer_id=cons_a", "r5,r3,r1")]
    [InlineData("?api_id=orders-api", "r3")]
    [InlineData("?method=post", "r5,r3")]
    [InlineData("?path=/api/items", "r1")]
    [InlineData("?path_prefix=/api/items", "r5,r2,r1")] // case-sensitive: /API/items/8 is not under /api/items
    [InlineData("?path_prefix=/api/items_", "r5")] // '_' is a character, not a wildcard
    [InlineData("?status=404", "r2")]
    [InlineData("?status_min=400", "r4,r3,r2")]
    [InlineData("?status_min=400&status_max=499", "r4,r2")]
    [InlineData("?from=2026-03-11T02:01:00Z&to=2026-03-11T02:03:00Z", "r3,r2")]
    [InlineData("?from=2026-03-11T03:01:00%2B01:00", "r5,r4,r3,r2")] // from is inclusive, any offset
    [InlineData("?to=2026-03-11T02:01:00.000Z", "r1")] // to is exclusive
    [InlineData("?limit=2", "r5,r4")]
    public async Task Request_log_filters(string query, string expected)
    {
        var (client, tenant) = await RequestLogAsync();
        var page = await client.GetJsonAsync($"/v1/audit/{tenant}{query}");
        Assert.Equal(expected.Split(','), Ids(page));
        Assert.Equal(expected.Split(',').Length, (int)page["count"]!);
    }

    [Fact]
    public async Task Hours_and_days_count_back_from_now()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var now = app.Clock.Now;
        await client.IngestAsync(tenant,
            Wire.Request("h1", now.AddMinutes(-30)), Wire.Request("h3", now.AddHours(-3)), Wire.Request("d3", now.AddDays(-3)));

        Assert.Equal(["h1"], Ids(await client.GetJsonAsync($"/v1/audit/{tenant}?hours=1")));
        Assert.Equal(["h1", "h3"], Ids(await client.GetJsonAsync($"/v1/audit/{tenant}?hours=24")));
        Assert.Equal(["h1", "h3", "d3"], Ids(await client.GetJsonAsync($"/v1/audit/{tenant}?days=4")));
    }

    [Theory]
    [InlineData("?hours=2&from=2026-03-11T00:00:00Z", "hours")]
    [InlineData("?days=2&from=2026-03-11T00:00:00Z", "days")]
    [InlineData("?hours=2&days=1", "hours")]
    [InlineData("?from=2026-03-12T00:00:00Z&to=2026-03-11T00:00:00Z", "from")]
    [InlineData("?from=2026-03-11", "from")]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?hours=-1", "hours")]
    [InlineData("?days=1.5", "days")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=10001", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?order=newest", "order")]
    [InlineData("?cursor=garbage", "cursor")]
    [InlineData("?status=600", "status")]
    [InlineData("?status_min=500&status_max=400", "status_min")]
    [InlineData("?method=FETCH", "method")]
    [InlineData("?consumer_id=a%20b", "consumer_id")]
    [InlineData("?consumer=cons_a", "consumer")]
    [InlineData("?limit=1&limit=2", "limit")]
    public async Task Bad_parameters_are_400_naming_the_parameter(string query, string parameter)
    {
        var (client, tenant) = await RequestLogAsync();
        var response = await client.GetAsync($"/v1/audit/{tenant}{query}");
        var problem = await response.ProblemAsync(400);
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["parameter"] == parameter);
        Assert.Contains(parameter, (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("desc")]
    [InlineData("asc")]
    public async Task Paging_to_the_end_neither_skips_nor_repeats(string order)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        // 53 events, many sharing a millisecond, so the cursor must break ties by id.
        var events = Enumerable.Range(0, 53)
            .Select(i => (JsonNode)Wire.Request($"p{i:D2}", T0.AddMilliseconds(i / 4))).ToArray();
        await client.IngestAsync(tenant, events);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetJsonAsync($"/v1/audit/{tenant}?limit=10&order={order}" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(Ids(page));
            cursor = (string?)page["next_cursor"];
            pages++;
        } while (cursor is not null);

        Assert.Equal(6, pages);
        Assert.Equal(53, seen.Distinct().Count());
        Assert.Equal(53, seen.Count);
        var times = seen.Select(id => int.Parse(id[1..]) / 4).ToList();
        Assert.Equal(order == "asc" ? times.Order() : times.OrderDescending(), times);
    }

    [Fact]
    public async Task Cursor_of_one_order_is_refused_by_the_other()
    {
        var (client, tenant) = await RequestLogAsync();
        var page = await client.GetJsonAsync($"/v1/audit/{tenant}?limit=2");
        var response = await client.GetAsync($"/v1/audit/{tenant}?limit=2&order=asc&cursor={page["next_cursor"]}");
        await response.ProblemAsync(400);
    }

    [Fact]
    public async Task Last_page_has_a_null_cursor()
    {
        var (client, tenant) = await RequestLogAsync();
        var page = await client.GetJsonAsync($"/v1/audit/{tenant}?limit=5");
        Assert.Null((string?)page["next_cursor"]);
        Assert.True(page.AsObject().ContainsKey("next_cursor"));
    }

    [Fact]
    public async Task Security_events_filters()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant,
            Wire.Security("s1", T0, "auth_failed", actor: "1.2.3.4", target: "key_1", outcome: "failure"),
            Wire.Security("s2", T0.AddMinutes(1), "rate_limit_exceeded", actor: "cons_a", target: "policy:rl", outcome: "blocked"),
            Wire.Security("s3", T0.AddMinutes(2), "key_revoked", actor: "admin", target: "key_1", outcome: "success"),
            Wire.Security("s4", T0.AddMinutes(3), "auth_failed", actor: "5.6.7.8", target: "key_2", outcome: "failure"));

        string[] Query(JsonNode page) => Ids(page, "events", "event_id");
        Assert.Equal(["s4", "s1"], Query(await client.GetJsonAsync($"/v1/audit/{tenant}/security?event_type=auth_failed")));
        Assert.Equal(["s3", "s2"], Query(await client.GetJsonAsync($"/v1/audit/{tenant}/security?event_type=key_revoked,rate_limit_exceeded")));
        Assert.Equal(["s3", "s1"], Query(await client.GetJsonAsync($"/v1/audit/{tenant}/security?target=key_1")));
        Assert.Equal(["s2"], Query(await client.GetJsonAsync($"/v1/audit/{tenant}/security?actor=cons_a")));
        Assert.Equal(["s2"], Query(await client.GetJsonAsync($"/v1/audit/{tenant}/security?outcome=blocked")));
        Assert.Equal(["s1", "s2"], Query(await client.GetJsonAsync($"/v1/audit/{tenant}/security?order=asc&limit=2")));
        await (await client.GetAsync($"/v1/audit/{tenant}/security?event_type=auth_failed,hacked")).ProblemAsync(400);
        await (await client.GetAsync($"/v1/audit/{tenant}/security?outcome=meh")).ProblemAsync(400);
        await (await client.GetAsync($"/v1/audit/{tenant}/security?status=200")).ProblemAsync(400);
    }

    [Fact]
    public async Task Security_events_default_to_a_thousand_and_request_log_to_a_hundred()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Enumerable.Range(0, 1005).Select(i => (JsonNode)Wire.Security($"m{i}", T0.AddSeconds(i))).ToArray());
        await client.IngestAsync(tenant, Enumerable.Range(0, 105).Select(i => (JsonNode)Wire.Request($"q{i}", T0.AddSeconds(i))).ToArray());
        var security = await client.GetJsonAsync($"/v1/audit/{tenant}/security");
        Assert.Equal(1000, (int)security["count"]!);
        Assert.NotNull((string?)security["next_cursor"]);
        Assert.Equal(100, (int)(await client.GetJsonAsync($"/v1/audit/{tenant}"))["count"]!);
    }

    [Fact]
    public async Task Business_events_filters()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant,
            Wire.Business(T0, actor: "cons_a", action: "created", resourceType: "document", resourceId: "1", requestId: "rq1"),
            Wire.Business(T0.AddMinutes(1), actor: "cons_b", action: "deleted", resourceType: "document", resourceId: "2", requestId: "rq2"),
            Wire.Business(T0.AddMinutes(2), actor: "cons_a", action: "updated", resourceType: "order", resourceId: "2", requestId: "rq2"));

        string[] Resources(JsonNode page) => page["events"]!.AsArray().Select(e => $"{e!["resource_type"]}/{e["resource_id"]}").ToArray();
        Assert.Equal(["document/2"], Resources(await client.GetJsonAsync($"/v1/audit/{tenant}/business?action=deleted")));
        Assert.Equal(["order/2", "document/2"], Resources(await client.GetJsonAsync($"/v1/audit/{tenant}/business?resource_id=2")));
        Assert.Equal(["document/2", "document/1"], Resources(await client.GetJsonAsync($"/v1/audit/{tenant}/business?resource_type=document")));
        Assert.Equal(["order/2", "document/1"], Resources(await client.GetJsonAsync($"/v1/audit/{tenant}/business?actor_id=cons_a")));
        Assert.Equal(["order/2", "document/2"], Resources(await client.GetJsonAsync($"/v1/audit/{tenant}/business?request_id=rq2")));
        var first = (await client.GetJsonAsync($"/v1/audit/{tenant}/business?order=asc&limit=1"))["events"]![0]!;
        Assert.Equal("business_audit", (string?)first["event_type"]);
        Assert.Equal("rq1", (string?)first["request_id"]);
        Assert.Null(first["metadata"]);
    }
}
