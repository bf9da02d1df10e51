using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>The arrival number on the wire: in every event, as a permanent link (<c>events/{seq}</c>), and as a read position (<c>since_seq</c>).</summary>
public sealed class EventSeqTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-5);

    private async Task<(HttpClient Operator, string Tenant)> ThreeKindsAsync()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant,
            Wire.Request("r1", T0, consumer: "cons_mine"),
            Wire.Security("s1", T0.AddSeconds(1), actor: "10.0.0.9", target: "cons_other"),
            Wire.Business(T0.AddSeconds(2), actor: "cons_mine", requestId: "r1"),
            Wire.Request("r2", T0.AddSeconds(3), consumer: "cons_other"));
        return (client, tenant);
    }

    [Fact]
    public async Task Every_event_carries_its_seq_and_its_link_returns_the_same_json()
    {
        var (client, tenant) = await ThreeKindsAsync();
        var logs = (await client.GetJsonAsync($"/v1/audit/{tenant}?order=asc"))["logs"]!.AsArray();
        var security = (await client.GetJsonAsync($"/v1/audit/{tenant}/security"))["events"]!.AsArray();
        var business = (await client.GetJsonAsync($"/v1/audit/{tenant}/business"))["events"]!.AsArray();

        Assert.Equal([1L, 4L], logs.Select(e => (long)e!["seq"]!));
        Assert.Equal(2, (long)security[0]!["seq"]!);
        Assert.Equal(3, (long)business[0]!["seq"]!);
        foreach (var e in logs.Concat(security).Concat(business))
        {
            var one = await client.GetJsonAsync($"/v1/audit/{tenant}/events/{(long)e!["seq"]!}");
            Assert.True(JsonNode.DeepEquals(e, one), $"{one.ToJsonString()} differs from {e.ToJsonString()}");
        }
    }

    [Fact]
    public async Task A_client_gets_the_same_403_for_another_consumers_event_as_for_a_missing_one()
    {
        var (operatorClient, tenant) = await ThreeKindsAsync();
        var client = await app.ClientWithTokenAsync("client", [tenant], ["cons_mine"]);

        Assert.Equal("r1", (string?)(await client.GetJsonAsync($"/v1/audit/{tenant}/events/1"))["request_id"]);
        Assert.Equal("business_audit", (string?)(await client.GetJsonAsync($"/v1/audit/{tenant}/events/3"))["event_type"]);
        var others = await client.GetAsync($"/v1/audit/{tenant}/events/4"); // cons_other's request
        var theirSecurity = await client.GetAsync($"/v1/audit/{tenant}/events/2"); // names cons_other only
        var missing = await client.GetAsync($"/v1/audit/{tenant}/events/999");

        var expected = Without(await missing.ProblemAsync(403), "traceId");
        Assert.Equal(expected, Without(await others.ProblemAsync(403), "traceId"));
        Assert.Equal(expected, Without(await theirSecurity.ProblemAsync(403), "traceId"));
        // An operator sees every event of the tenant, so it may learn that one does not exist.
        await (await operatorClient.GetAsync($"/v1/audit/{tenant}/events/999")).ProblemAsync(404);
    }

    private static string Without(JsonNode problem, string field)
    {
        problem.AsObject().Remove(field); // differs per request
        return problem.ToJsonString();
    }

    [Theory]
    [InlineData("events/0")]
    [InlineData("events/-1")]
    [InlineData("events/abc")]
    [InlineData("events/99999999999999999999")]
    [InlineData("events/1?limit=5")]
    [InlineData("?since_seq=-1")]
    [InlineData("?since_seq=2&order=desc")]
    [InlineData("/security?since_seq=x")]
    public async Task Bad_numbers_and_parameters_are_a_400(string path)
    {
        var (client, tenant) = await ThreeKindsAsync();
        var url = path.StartsWith('?') || path.StartsWith('/') ? $"/v1/audit/{tenant}{path}" : $"/v1/audit/{tenant}/{path}";
        await (await client.GetAsync(url)).ProblemAsync(400);
    }

    [Fact]
    public async Task Since_seq_returns_what_arrived_after_in_arrival_order_late_events_included()
    {
        var (client, tenant) = await ThreeKindsAsync();
        var first = await client.GetJsonAsync($"/v1/audit/{tenant}?since_seq=0");
        Assert.Equal(["r1", "r2"], first["logs"]!.AsArray().Select(e => (string)e!["request_id"]!));
        var last = first["logs"]!.AsArray().Max(e => (long)e!["seq"]!);

        // A late event: its timestamp is a day before everything read so far, but it arrives now.
        await client.IngestAsync(tenant, Wire.Request("late", T0.AddDays(-1)), Wire.Request("r3", T0.AddSeconds(10)));
        var next = await client.GetJsonAsync($"/v1/audit/{tenant}?since_seq={last}");
        Assert.Equal(["late", "r3"], next["logs"]!.AsArray().Select(e => (string)e!["request_id"]!));
        Assert.Null((string?)next["next_cursor"]);
    }

    [Fact]
    public async Task Arrival_pages_follow_next_cursor_to_the_end_without_skipping_or_repeating()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        // Timestamps in reverse of arrival: time order and arrival order disagree everywhere.
        await client.IngestAsync(tenant, Enumerable.Range(0, 25).Select(i => (JsonNode)Wire.Security($"s{i:D2}", T0.AddMinutes(-i))).ToArray());

        var seen = new List<long>();
        var url = $"/v1/audit/{tenant}/security?since_seq=0&limit=10";
        while (true)
        {
            var page = await client.GetJsonAsync(url);
            seen.AddRange(page["events"]!.AsArray().Select(e => (long)e!["seq"]!));
            if ((string?)page["next_cursor"] is not { } cursor) break;
            url = $"/v1/audit/{tenant}/security?limit=10&cursor={cursor}";
        }
        Assert.Equal(Enumerable.Range(1, 25).Select(n => (long)n), seen);
    }

    [Fact]
    public async Task Exports_carry_seq_as_the_last_column_and_field()
    {
        var (client, tenant) = await ThreeKindsAsync();
        var csv = Csv.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/export/csv"));
        Assert.Equal("seq", csv[0][^1]);
        Assert.Equal(["1", "4"], csv.Skip(1).Select(row => row[^1]));

        var ndjson = await client.GetStringAsync($"/v1/audit/{tenant}/export/ndjson?layer=business");
        Assert.Equal(3, (long)JsonNode.Parse(ndjson.Split('\n')[0])!["seq"]!);
    }
}
