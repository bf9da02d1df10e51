using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) against the app itself: every API endpoint is in
/// it, every query parameter it documents is one the endpoint takes (none answers "unknown
/// parameter"), one it does not document is refused, and every parameter says what it means.
/// </summary>
public sealed class ApiDocumentTests(StoaApp app) : IClassFixture<StoaApp>
{
    private async Task<JsonNode> DocumentAsync()
    {
        var response = await app.CreateClient().GetAsync(ApiDocument.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>The app's API routes as <c>METHOD /path/{param}</c>.</summary>
    private IEnumerable<string> ApiRoutes() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1", StringComparison.Ordinal) == true || e.RoutePattern.RawText == "/.well-known/stoa/keys.json")
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Route(e)}"));

    /// <summary>The route as the document writes it: constraints and optional marks dropped.</summary>
    private static string Route(RouteEndpoint e) =>
        System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!, @"\{([a-z_]+)(:[a-z]+)?\??\}", "{$1}");

    private static IEnumerable<(string Route, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(op => op.Key is "get" or "post" or "put" or "delete")
            .Select(op => ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!.AsObject())));

    [Fact]
    public async Task Every_api_endpoint_is_in_the_document()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.1", (string)document["openapi"]!);
        var documented = Operations(document).Select(o => o.Route).ToHashSet();
        var routes = ApiRoutes().ToList();
        Assert.True(routes.Count > 20, string.Join(", ", routes));
        Assert.All(routes, route => Assert.Contains(route, documented));

        // Bodies and files are described too: a destination's form, the events ingest takes, what an export streams.
        var paths = document["paths"]!;
        var form = paths["/v1/audit/{tenant_id}/destinations"]!["post"]!["requestBody"]!["content"]!["application/x-www-form-urlencoded"]!["schema"]!["properties"]!;
        Assert.Equal(["name", "kind", "target", "topic", "format", "ca_file", "sasl_username", "sasl_password", "kinds", "event_types", "backfill"],
            form.AsObject().Select(p => p.Key));
        Assert.StartsWith("Where it sends", (string)form["target"]!["description"]!);
        Assert.Equal(["application/json", "application/x-ndjson"],
            paths["/v1/audit/{tenant_id}/events"]!["post"]!["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Contains("application/zip", paths["/v1/audit/{tenant_id}/export/{format}"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Contains("stoa", document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key));
    }

    [Fact]
    public async Task Every_documented_query_parameter_is_taken_and_every_endpoint_that_reads_its_query_documents_it()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.ClientWithTokenAsync(Roles.Operator, [StoaClaims.AllTenants], name: "openapi");
        await client.IngestAsync(tenant, Wire.Request("d1", StoaApp.Epoch.AddMinutes(-5)));
        var shaped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<QueryShape>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {Route(e)}")).ToHashSet();
        var checkedParameters = 0;
        foreach (var (route, operation) in Operations(await DocumentAsync()))
        {
            var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
            if (!path.StartsWith("/v1/audit/{tenant_id}", StringComparison.Ordinal) && !path.StartsWith("/v1/quotas", StringComparison.Ordinal)) continue;
            var url = path.Replace("{tenant_id}", tenant).Replace("{format}", "csv").Replace("{seq}", "1").Replace("{id}", "999999")
                .Replace("{week}", "2026-03-02").Replace("{part}", "manifest.json");
            // An endpoint that reads its query refuses a name it does not know; then it must declare what it reads.
            var refused = (await SendAsync(client, method, $"{url}?not_a_parameter=1")).Contains("Unknown parameter", StringComparison.Ordinal);
            Assert.True(!refused || shaped.Contains(route), $"{route} reads its query but does not declare it (WithQuery)");
            foreach (var parameter in (operation["parameters"]?.AsArray() ?? []).Select(p => p!.AsObject()).Where(p => (string)p["in"]! == "query"))
            {
                Assert.False(string.IsNullOrWhiteSpace((string?)parameter["description"]), $"{route} {parameter["name"]} says nothing");
                // An export takes its layer's filters: a filter is taken when one of the layers takes it.
                string[] layers = path.Contains("/export/", StringComparison.Ordinal) ? ["&layer=requests", "&layer=security", "&layer=business"] : [""];
                var answers = new List<string>();
                foreach (var layer in layers)
                    answers.Add(await SendAsync(client, method, $"{url}?{parameter["name"]}={Uri.EscapeDataString(Example(parameter))}{layer}"));
                Assert.True(answers.Any(a => !a.Contains("Unknown parameter", StringComparison.Ordinal)), $"{route}: {answers[0]}");
                checkedParameters++;
            }
        }
        Assert.True(checkedParameters > 50, $"only {checkedParameters} parameters checked");
    }

    [Fact]
    public async Task Real_answers_validate_against_their_documented_schemas_and_the_schemas_are_strict()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var at = StoaApp.Epoch.AddMinutes(-5);
        await client.IngestAsync(tenant, Wire.Request("v1", at), Wire.Security("v2", at), Wire.Business(at, requestId: "v1"));
        var document = await DocumentAsync();
        Json.Schema.JsonSchema SchemaOf(string path) => Json.Schema.JsonSchema.FromText(
            document["paths"]![path]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!.ToJsonString());
        var reads = new (string Path, string Url)[]
        {
            ("/v1/audit/{tenant_id}", $"/v1/audit/{tenant}"),
            ("/v1/audit/{tenant_id}/security", $"/v1/audit/{tenant}/security"),
            ("/v1/audit/{tenant_id}/business", $"/v1/audit/{tenant}/business"),
            ("/v1/audit/{tenant_id}/events/{seq}", $"/v1/audit/{tenant}/events/1"),
            ("/v1/audit/{tenant_id}/events/{seq}", $"/v1/audit/{tenant}/events/2"),
            ("/v1/audit/{tenant_id}/events/{seq}", $"/v1/audit/{tenant}/events/3"),
            ("/v1/quotas/{tenant_id}/stats", $"/v1/quotas/{tenant}/stats?days=1"),
        };
        foreach (var (path, url) in reads)
        {
            using var answer = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(url));
            var result = SchemaOf(path).Evaluate(answer.RootElement, new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });
            Assert.True(result.IsValid, $"{url}: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))));
        }

        // Not a schema that takes anything: an extra field, a missing one, a wrong type each fail.
        var page = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}"))!;
        foreach (var change in new Action<JsonObject>[] { e => e["surprise"] = 1, e => e.Remove("path"), e => e["status_code"] = "200" })
        {
            var broken = page.DeepClone();
            change(broken["logs"]![0]!.AsObject());
            using var json = System.Text.Json.JsonDocument.Parse(broken.ToJsonString());
            Assert.False(SchemaOf("/v1/audit/{tenant_id}").Evaluate(json.RootElement).IsValid, broken.ToJsonString());
        }
    }

    private static async Task<string> SendAsync(HttpClient client, string method, string url)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A value of the parameter's schema: its first value, its minimum, a time, a word.</summary>
    private static string Example(JsonObject parameter)
    {
        var schema = parameter["schema"]!;
        if (schema["enum"] is JsonArray values) return (string)values[0]!;
        if ((string?)schema["format"] == "date-time") return "2026-03-11T00:00:00Z";
        if (schema["minimum"] is { } minimum) return minimum.ToString();
        return (string)parameter["name"]! switch
        {
            "event_type" => "auth_failed",
            "policy" => "default",
            _ => "x",
        };
    }
}
