using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

public sealed class IngestTests(IngestTests.App app) : IClassFixture<IngestTests.App>
{
    public sealed class App : StoaApp
    {
        public App() => Settings["Stoa:Ingest:MaxBodyBytes"] = "8192";
    }

    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-1);

    [Fact]
    public async Task Array_of_every_kind_is_stored_and_read_back()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);

        var result = await client.IngestAsync(tenant,
            Wire.Request("r1", T0), Wire.Security("s1", T0), Wire.Business(T0, requestId: "r1"));

        Assert.Equal((3, 0), result);
        var logs = await client.GetJsonAsync($"/v1/audit/{tenant}");
        var log = logs["logs"]![0]!;
        Assert.Equal("r1", (string?)log["request_id"]);
        Assert.Equal("2026-03-11T11:00:00.000Z", (string?)log["timestamp"]);
        Assert.Equal(tenant, (string?)log["tenant_id"]);
        var security = await client.GetJsonAsync($"/v1/audit/{tenant}/security");
        Assert.Equal("auth_failed", (string?)security["events"]![0]!["type"]);
        Assert.Equal("auth_failed", (string?)security["events"]![0]!["event_type"]);
        Assert.Equal("test", (string?)security["events"]![0]!["details"]!["reason"]);
        var business = await client.GetJsonAsync($"/v1/audit/{tenant}/business");
        Assert.Equal("b", (string?)business["events"]![0]!["changes"]!["title"]!["after"]);
        Assert.StartsWith("bae_", (string?)business["events"]![0]!["event_id"]);
    }

    [Fact]
    public async Task Ndjson_is_accepted()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);

        var response = await client.PostNdjsonAsync(tenant, Wire.Request("n1", T0), Wire.Request("n2", T0.AddSeconds(1)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logs = await client.GetJsonAsync($"/v1/audit/{tenant}?order=asc");
        Assert.Equal(["n1", "n2"], logs["logs"]!.AsArray().Select(l => (string?)l!["request_id"]));
    }

    [Fact]
    public async Task Resent_events_are_counted_as_duplicates_and_stored_once()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        JsonNode[] batch = [Wire.Request("d1", T0), Wire.Security("sd1", T0), Wire.Business(T0)];

        Assert.Equal((3, 0), await client.IngestAsync(tenant, batch));
        Assert.Equal((1, 3), await client.IngestAsync(tenant, [.. batch, Wire.Request("d2", T0)]));
        // The same key twice in one batch is stored once too.
        Assert.Equal((1, 1), await client.IngestAsync(tenant, Wire.Request("d3", T0), Wire.Request("d3", T0)));

        var logs = await client.GetJsonAsync($"/v1/audit/{tenant}");
        Assert.Equal(3, (int)logs["count"]!);
        Assert.Equal(1, (int)(await client.GetJsonAsync($"/v1/audit/{tenant}/business"))["count"]!);
    }

    [Fact]
    public async Task Request_ids_are_unique_per_tenant_not_globally()
    {
        var (a, b) = (StoaApp.NewTenant(), StoaApp.NewTenant());
        var client = await app.OperatorAsync(a, b);
        Assert.Equal((1, 0), await client.IngestAsync(a, Wire.Request("same", T0)));
        Assert.Equal((1, 0), await client.IngestAsync(b, Wire.Request("same", T0)));
    }

    [Fact]
    public async Task Invalid_batch_lists_every_problem_by_index_and_field_and_stores_nothing()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var badStatus = Wire.Request("ok-but-batch-fails", T0);
        badStatus["status_code"] = 700;
        var badTime = Wire.Security("s-bad", T0);
        badTime["timestamp"] = "yesterday";
        var missing = Wire.Request("x", T0);
        missing.Remove("consumer_id");
        missing["method"] = "FETCH";
        var wrongTenant = Wire.Business(T0);
        wrongTenant["tenant_id"] = "someone_else";
        var badOutcome = Wire.Security("s2", T0);
        badOutcome["outcome"] = "maybe";
        var badConsumer = Wire.Request("y", T0, consumer: "has space");

        var response = await client.PostAsync(tenant, Wire.Request("good", T0), badStatus, badTime, missing, wrongTenant,
            badOutcome, badConsumer, new JsonObject { ["event_type"] = "mystery" }, JsonValue.Create(5)!);

        var problem = await response.ProblemAsync(400);
        var errors = problem["errors"]!.AsArray().Select(e => ((int?)e!["index"], (string?)e["field"])).ToHashSet();
        Assert.Contains((1, "status_code"), errors);
        Assert.Contains((2, "timestamp"), errors);
        Assert.Contains((3, "consumer_id"), errors);
        Assert.Contains((3, "method"), errors);
        Assert.Contains((4, "tenant_id"), errors);
        Assert.Contains((5, "outcome"), errors);
        Assert.Contains((6, "consumer_id"), errors);
        Assert.Contains((7, "event_type"), errors);
        Assert.Contains((8, "event"), errors);
        Assert.DoesNotContain(errors, e => e.Item1 == 0);
        Assert.Contains("[1].status_code", (string?)problem["detail"]);

        var logs = await client.GetJsonAsync($"/v1/audit/{tenant}");
        Assert.Equal(0, (int)logs["count"]!);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"a\":1}\n{\"b\":2}")]
    [InlineData("\"a string\"")]
    public async Task Body_that_is_not_an_event_array_is_400(string body)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var response = await client.PostAsync($"/v1/audit/{tenant}/events", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(400);
        Assert.Equal("body", (string?)problem["errors"]![0]!["field"]);
    }

    [Fact]
    public async Task Malformed_ndjson_line_is_reported_by_its_index()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var body = Wire.Request("l0", T0).ToJsonString() + "\n{broken\n";
        var response = await client.PostAsync($"/v1/audit/{tenant}/events", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        var problem = await response.ProblemAsync(400);
        Assert.Equal(1, (int?)problem["errors"]![0]!["index"]);
        Assert.Equal(0, (int)(await client.GetJsonAsync($"/v1/audit/{tenant}"))["count"]!);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_and_nothing_is_stored()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var events = Enumerable.Range(0, 40).Select(i => (JsonNode)Wire.Request($"big{i}", T0)).ToArray();

        var response = await client.PostAsync(tenant, events);

        await response.ProblemAsync(413);
        Assert.Equal(0, (int)(await client.GetJsonAsync($"/v1/audit/{tenant}"))["count"]!);
    }

    [Fact]
    public async Task Empty_array_is_accepted_as_nothing()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        Assert.Equal((0, 0), await client.IngestAsync(tenant));
    }

    [Fact]
    public async Task Business_event_without_event_type_or_id_is_recognised_and_deduplicated_by_content()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var logged = Wire.Business(T0, resourceId: "42");
        Assert.Equal((1, 0), await client.IngestAsync(tenant, logged));
        Assert.Equal((0, 1), await client.IngestAsync(tenant, logged));
        var changed = Wire.Business(T0, resourceId: "43");
        Assert.Equal((1, 0), await client.IngestAsync(tenant, changed));
    }

    [Fact]
    public async Task Timestamps_with_offsets_are_stored_in_utc()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var request = Wire.Request("tz", T0);
        request["timestamp"] = "2026-03-11T04:17:42.5+01:00";
        await client.IngestAsync(tenant, request);
        var logs = await client.GetJsonAsync($"/v1/audit/{tenant}");
        Assert.Equal("2026-03-11T03:17:42.500Z", (string?)logs["logs"]![0]!["timestamp"]);
    }

    [Fact]
    public async Task Ingest_needs_a_token_and_a_role_for_that_tenant()
    {
        var (tenant, other) = (StoaApp.NewTenant(), StoaApp.NewTenant());
        var anonymous = app.CreateClient();
        var response = await anonymous.PostAsync(tenant, Wire.Request("a", T0));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);

        var ingest = await app.ClientWithTokenAsync(Roles.Ingest, [tenant]);
        Assert.Equal((1, 0), await ingest.IngestAsync(tenant, Wire.Request("a", T0)));
        await (await ingest.PostAsync(other, Wire.Request("b", T0))).ProblemAsync(403);
        // An ingest token reads nothing, not even its own tenant.
        await (await ingest.GetAsync($"/v1/audit/{tenant}")).ProblemAsync(403);

        var client = await app.ClientWithTokenAsync(Roles.Client, [tenant], ["cons_a"]);
        await (await client.PostAsync(tenant, Wire.Request("c", T0))).ProblemAsync(403);
    }

    [Fact]
    public async Task Invalid_tenant_id_in_the_path_is_400()
    {
        var client = await app.OperatorAsync();
        var response = await client.PostAsync("bad!tenant", Wire.Request("a", T0));
        await response.ProblemAsync(400);
    }
}
