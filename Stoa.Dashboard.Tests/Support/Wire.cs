using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>Builds events as gateways and applications send them (the JSON on the wire), and posts them.</summary>
public static class Wire
{
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    public static JsonObject Request(string requestId, DateTimeOffset at, string consumer = "cons_a", int status = 200,
        string method = "GET", string path = "/api/items", string api = "items-api") => new()
    {
        ["event_type"] = "api_request",
        ["timestamp"] = Time(at),
        ["request_id"] = requestId,
        ["consumer_id"] = consumer,
        ["consumer_name"] = consumer + "-name",
        ["api_id"] = api,
        ["method"] = method,
        ["path"] = path,
        ["status_code"] = status,
        ["latency_ms"] = 42,
        ["request_size_bytes"] = 100,
        ["response_size_bytes"] = 2000,
        ["gateway_version"] = "gw/1.0",
        ["datacenter"] = "eu-west-1",
    };

    public static JsonObject Security(string eventId, DateTimeOffset at, string type = "auth_failed", string actor = "10.0.0.1",
        string target = "key_1", string outcome = "failure") => new()
    {
        ["event_id"] = eventId,
        ["event_type"] = type,
        ["timestamp"] = Time(at),
        ["actor"] = actor,
        ["target"] = target,
        ["outcome"] = outcome,
        ["details"] = new JsonObject { ["reason"] = "test" },
    };

    public static JsonObject Business(DateTimeOffset at, string actor = "cons_a", string action = "updated",
        string resourceType = "document", string resourceId = "1", string? requestId = null) => new()
    {
        ["timestamp"] = Time(at),
        ["action"] = action,
        ["resource_type"] = resourceType,
        ["resource_id"] = resourceId,
        ["actor_id"] = actor,
        ["changes"] = new JsonObject { ["title"] = new JsonObject { ["before"] = "a", ["after"] = "b" } },
        ["metadata"] = null,
        ["request_id"] = requestId,
    };

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string tenant, params JsonNode[] events) =>
        client.PostAsync($"/v1/audit/{tenant}/events",
            new StringContent(new JsonArray(events.Select(e => e.DeepClone()).ToArray()).ToJsonString(), Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostNdjsonAsync(this HttpClient client, string tenant, params JsonNode[] events) =>
        client.PostAsync($"/v1/audit/{tenant}/events",
            new StringContent(string.Join("\n", events.Select(e => e.ToJsonString())) + "\n", Encoding.UTF8, "application/x-ndjson"));

    /// <summary>Posts and asserts the batch was accepted; returns the answer's counts.</summary>
    public static async Task<(int Accepted, int Duplicates)> IngestAsync(this HttpClient client, string tenant, params JsonNode[] events)
    {
        var response = await client.PostAsync(tenant, events);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"ingest failed: {(int)response.StatusCode} {body}");
        var json = JsonNode.Parse(body)!;
        return ((int)json["accepted"]!, (int)json["duplicates"]!);
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> ProblemAsync(this HttpResponseMessage response, int expectedStatus)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }
}
