using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>What the browser is told about every answer, cross-site use of the session refused, and exports recorded from their first byte.</summary>
public sealed class SessionSafetyTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-1);

    private async Task<HttpClient> SignedInAsync(string tenant)
    {
        var (_, secret) = await app.Services.GetRequiredService<TokenService>()
            .CreateAsync(new TokenRequest(Roles.Operator, [tenant], [], "session-test", null));
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var response = await StoaApp.SignInWithFormAsync(client, secret);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static HttpRequestMessage Get(string url, string? fetchSite, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    [Fact]
    public async Task Pages_and_answers_carry_the_security_headers()
    {
        var client = app.CreateClient();
        var page = await client.GetAsync("/signin");
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", string.Join("|", page.Headers.GetValues("X-Frame-Options")));
        var policy = string.Join(" || ", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'nonce-", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("||", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        // The import map, Blazor's one inline script, carries this response's nonce.
        var nonce = Regex.Match(policy, "'nonce-([^']+)'").Groups[1].Value;
        Assert.Contains($"nonce=\"{nonce}\"", await page.Content.ReadAsStringAsync());

        var api = await client.GetAsync("/v1/audit/t1");
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_cross_site_request_on_the_session_is_refused_and_leaves_no_export_record()
    {
        var tenant = StoaApp.NewTenant();
        var client = await SignedInAsync(tenant);
        await (await app.OperatorAsync(tenant)).IngestAsync(tenant, Wire.Request("r1", T0));

        await (await client.SendAsync(Get($"/v1/audit/{tenant}/export/csv?from=x%27%3D1", "cross-site"))).ProblemAsync(403);
        await (await client.SendAsync(Get($"/v1/audit/{tenant}/export/csv", null, origin: "https://evil.example"))).ProblemAsync(403);
        await (await client.SendAsync(Get($"/v1/audit/{tenant}", "same-site"))).ProblemAsync(403); // a sibling subdomain is another site's
        var signOut = new HttpRequestMessage(HttpMethod.Post, "/auth/signout");
        signOut.Headers.Add("Sec-Fetch-Site", "cross-site");
        await (await client.SendAsync(signOut)).ProblemAsync(403);

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get($"/v1/audit/{tenant}/export/csv", "same-origin"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get($"/v1/audit/{tenant}", null))).StatusCode); // not a browser
        var exports = (await app.ExportRecordsAsync(tenant)).Where(d => (string?)d["status"] == "started").ToList();
        Assert.Single(exports); // the same-origin one only
    }

    [Fact]
    public async Task A_bearer_token_is_not_a_session_and_may_come_from_anywhere()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get($"/v1/audit/{tenant}", "cross-site"))).StatusCode);
    }

    [Fact]
    public async Task An_export_is_recorded_when_it_starts_and_again_with_what_it_sent()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Enumerable.Range(0, 30).Select(i => (JsonNode)Wire.Request($"r{i}", T0.AddSeconds(i))).ToArray());

        var csv = await client.GetByteArrayAsync($"/v1/audit/{tenant}/export/csv");

        var records = await app.ExportRecordsAsync(tenant);
        var started = Assert.Single(records, d => (string?)d["status"] == "started");
        var completed = Assert.Single(records, d => (string?)d["status"] == "completed");
        Assert.Equal((string?)started["export_id"], (string?)completed["export_id"]);
        Assert.Null((long?)started["rows"]);
        Assert.Equal(30, (long)completed["rows"]!);
        Assert.Equal(csv.Length, (long)completed["bytes"]!);
    }

    [Fact]
    public async Task An_export_cut_off_by_the_client_is_recorded_with_the_rows_and_bytes_that_left()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        for (var b = 0; b < 6; b++)
            await client.IngestAsync(tenant, Enumerable.Range(0, 1000).Select(i => (JsonNode)Wire.Request($"r{b}_{i}", T0.AddMilliseconds(b * 1000 + i))).ToArray());

        using (var response = await client.GetAsync($"/v1/audit/{tenant}/export/csv", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[100_000];
            var read = 0;
            while (read < buffer.Length) read += await body.ReadAsync(buffer.AsMemory(read));
        } // hung up after 100 KB

        JsonNode? aborted = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (aborted is null && DateTime.UtcNow < deadline) // the record is written as the server notices the client left
        {
            aborted = (await app.ExportRecordsAsync(tenant)).SingleOrDefault(d => (string?)d["status"] == "aborted");
            if (aborted is null) await Task.Delay(50);
        }
        Assert.NotNull(aborted);
        Assert.InRange((long)aborted["bytes"]!, 1, 6000 * 200);
        Assert.InRange((long)aborted["rows"]!, 1, 5999);
        Assert.Null((string?)aborted["sha256"]);
    }
}
