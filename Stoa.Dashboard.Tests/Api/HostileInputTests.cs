using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>Hostile and unlucky input gets a clear 4xx that says what to fix: never a 500, never part of a batch.</summary>
public sealed class HostileInputTests(HostileInputTests.App app) : IClassFixture<HostileInputTests.App>
{
    public sealed class App : StoaApp
    {
        public App() => Settings["Stoa:Ingest:MaxBodyBytes"] = "65536";
    }

    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-1);

    private static string RequestWith(string field, string rawJsonValue)
    {
        var e = Wire.Request("r1", T0);
        e.Remove(field);
        return e.ToJsonString()[..^1] + $",\"{field}\":{rawJsonValue}}}";
    }

    public static readonly TheoryData<string, string, string> BadBatches = new()
    {
        // name, body, the field the answer must name
        { "size at long.MaxValue", $"[{RequestWith("request_size_bytes", "9223372036854775807")}]", "request_size_bytes" },
        { "size over 1 TiB", $"[{RequestWith("response_size_bytes", "1099511627777")}]", "response_size_bytes" },
        { "latency over a day", $"[{RequestWith("latency_ms", "86400001")}]", "latency_ms" },
        { "timestamp in 1970", $"[{RequestWith("timestamp", "\"1970-01-01T00:00:00Z\"")}]", "timestamp" },
        { "timestamp in 9999", $"[{RequestWith("timestamp", "\"9999-12-31T23:59:59Z\"")}]", "timestamp" },
        { "timestamp with a trailing newline", $"[{RequestWith("timestamp", "\"2026-03-11T10:00:00Z\\n\"")}]", "timestamp" },
        { "consumer id with a trailing newline", $"[{RequestWith("consumer_id", "\"cons_a\\n\"")}]", "consumer_id" },
        { "NUL in a text field", $"[{RequestWith("path", "\"/a\\u0000b\"")}]", "path" },
        { "a control character in a text field", $"[{RequestWith("user_agent", "\"x\\u001b[31m\"")}]", "user_agent" },
        { "lone high surrogate", $"[{RequestWith("consumer_name", "\"a\\ud800b\"")}]", "consumer_name" },
        { "lone low surrogate", $"[{RequestWith("consumer_name", "\"\\udc00\"")}]", "consumer_name" },
        { "lone surrogate inside details", """[{"event_type":"auth_failed","event_id":"e1","timestamp":"2026-03-11T10:00:00Z","actor":"a","target":"b","outcome":"failure","details":{"k":"\ud800"}}]""", "details" },
        { "lone surrogate in an unknown field of a business event", """[{"timestamp":"2026-03-11T10:00:00Z","action":"x","resource_type":"d","resource_id":"1","actor_id":"c","extra":"\udfff"}]""", "event" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_event_is_a_400_naming_its_field_and_nothing_is_stored(string name, string body, string field)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var good = Wire.Request("good", T0).ToJsonString();
        var response = await client.PostAsync($"/v1/audit/{tenant}/events",
            new StringContent($"[{good},{body[1..^1]}]", Encoding.UTF8, "application/json"));

        var problem = await response.ProblemAsync(400);
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["field"] == field);
        Assert.Empty((await client.GetJsonAsync($"/v1/audit/{tenant}"))["logs"]!.AsArray()); // not even the good one ({name})
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var json = Encoding.UTF8.GetBytes(Wire.Request("r1", T0).ToJsonString());
        var at = Array.IndexOf(json, (byte)'-'); // inside "consumer_name": "cons_a-name"... any string byte will do
        var bytes = json.Take(at).Concat(new byte[] { 0xC3, 0x28 }).Concat(json.Skip(at + 1)).ToArray();
        foreach (var (content, type) in new[] { ($"[{Encoding.Latin1.GetString(bytes)}]", "application/json"), (Encoding.Latin1.GetString(bytes), "application/x-ndjson") })
        {
            var body = new ByteArrayContent(Encoding.Latin1.GetBytes(content));
            body.Headers.ContentType = new MediaTypeHeaderValue(type);
            await (await client.PostAsync($"/v1/audit/{tenant}/events", body)).ProblemAsync(400);
        }
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_a_413()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var body = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(Wire.Request("r", T0).ToJsonString(), 400)) + "]")));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/audit/{tenant}/events") { Content = body };
        request.Headers.TransferEncodingChunked = true;
        await (await client.SendAsync(request)).ProblemAsync(413);
    }

    [Fact]
    public async Task A_batch_of_empty_objects_lists_a_hundred_problems_and_counts_the_rest()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var response = await client.PostAsync($"/v1/audit/{tenant}/events",
            new StringContent("[" + string.Join(",", Enumerable.Repeat("{}", 20_000)) + "]", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.Length < 30_000, $"the answer is {body.Length} bytes");
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(100, problem["errors"]!.AsArray().Count);
        Assert.Equal(20_000, (int)problem["error_count"]!);
        Assert.Contains("first 100 listed", (string?)problem["detail"]);
    }

    [Fact]
    public async Task A_tenant_id_with_a_trailing_newline_is_a_400_everywhere()
    {
        var client = await app.OperatorAsync("*");
        await (await client.GetAsync("/v1/audit/t1%0A")).ProblemAsync(400);
        await (await client.GetAsync("/v1/audit/t1%0A/export/csv")).ProblemAsync(400);
        await (await client.PostAsync("/v1/audit/t1%0A/events", new StringContent("[]", Encoding.UTF8, "application/json"))).ProblemAsync(400);
    }

    [Fact]
    public async Task Largest_sizes_from_many_tenants_at_once_are_all_stored_and_summed_exactly()
    {
        var tenants = Enumerable.Range(0, 6).Select(_ => StoaApp.NewTenant()).ToList();
        var client = await app.OperatorAsync([.. tenants]);
        var sends = tenants.SelectMany(t => Enumerable.Range(0, 5).Select(b => (t, b))).Select(async x =>
        {
            var events = Enumerable.Range(0, 20).Select(i =>
            {
                var e = Wire.Request($"r{x.b}_{i}", T0.AddSeconds(i));
                e["request_size_bytes"] = 1L << 40;
                e["response_size_bytes"] = 1L << 40;
                return (JsonNode)e;
            }).ToArray();
            return await client.PostAsync(x.t, events);
        });
        var responses = await Task.WhenAll(sends);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var tenant in tenants)
        {
            var stats = await client.GetJsonAsync($"/v1/quotas/{tenant}/stats?days=1");
            Assert.Equal(100, (long)stats["total_requests"]!);
            Assert.Equal(100L << 40, stats["daily"]!.AsArray().Sum(d => (long)d!["bytes_in"]!));
        }
    }

    [Theory]
    [InlineData("/\t/evil.example/x")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/x\\..\\\\evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("\t//evil.example")]
    [InlineData("/\u007f/evil.example")]
    public void A_return_url_off_this_site_becomes_the_home_page(string url) => Assert.Equal("/", SignInEndpoints.LocalOnly(url));

    [Theory]
    [InlineData("/timeline?tenant=tenant_abc&hours=24")]
    [InlineData("/%09/evil.example")] // encoded: a path on this site
    [InlineData("/events/12?tenant=t&tz=Europe/Paris")]
    public void A_path_on_this_site_is_kept(string url) => Assert.Equal(url, SignInEndpoints.LocalOnly(url));

    [Fact]
    public async Task Sign_in_redirects_only_to_this_site()
    {
        var tokens = app.Services.GetRequiredService<TokenService>();
        var (_, secret) = await tokens.CreateAsync(new TokenRequest(Roles.Operator, ["t1"], [], "redirect-test", null));
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var response = await StoaApp.SignInWithFormAsync(client, secret, returnUrl: "/\t/evil.example/x");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }
}
