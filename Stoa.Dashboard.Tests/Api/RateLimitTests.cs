using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>Reads and exports are limited per token, ingest per tenant: past the share, a 429 with Retry-After.</summary>
public sealed class RateLimitTests(RateLimitTests.App app) : IClassFixture<RateLimitTests.App>
{
    public sealed class App : StoaApp
    {
        public App()
        {
            Settings["Stoa:Limits:ReadsPerSecond"] = "1";
            Settings["Stoa:Limits:ReadBurst"] = "3";
            Settings["Stoa:Limits:IngestBatchesPerSecond"] = "1";
            Settings["Stoa:Limits:IngestBurst"] = "2";
        }
    }

    [Fact]
    public async Task A_token_past_its_reads_gets_429_and_another_token_does_not()
    {
        var tenant = StoaApp.NewTenant();
        var (greedy, other) = (await app.OperatorAsync(tenant), await app.OperatorAsync(tenant));
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++) answers.Add(await greedy.GetAsync($"/v1/audit/{tenant}"));

        var refused = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(answers.Count(a => a.IsSuccessStatusCode) >= 3);
        await refused.ProblemAsync(429);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/v1/audit/{tenant}")).StatusCode);
    }

    [Fact]
    public async Task A_tenant_past_its_ingest_gets_429_and_another_tenant_does_not()
    {
        var (tenant, neighbour) = (StoaApp.NewTenant(), StoaApp.NewTenant());
        var client = await app.OperatorAsync(tenant, neighbour);
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++) answers.Add(await client.PostAsync(tenant, Wire.Request($"r{i}", StoaApp.Epoch.AddMinutes(-1))));

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        await answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests).ProblemAsync(429);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(neighbour, Wire.Request("n1", StoaApp.Epoch.AddMinutes(-1)))).StatusCode);
    }
}

/// <summary>Failed tokens: limited per source, and recorded once per source and minute with their count.</summary>
public sealed class FailedAuthenticationTests(FailedAuthenticationTests.App app) : IClassFixture<FailedAuthenticationTests.App>
{
    public sealed class App : StoaApp
    {
        public App() => Settings["Stoa:Limits:FailedAuthPerMinute"] = "5";
    }

    [Fact]
    public async Task Guessing_is_refused_after_a_few_tries_and_recorded_as_one_event_with_the_count()
    {
        var tenant = StoaApp.NewTenant();
        var good = await app.OperatorAsync(tenant);
        await good.IngestAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddMinutes(-1))); // the tenant exists

        var guesser = app.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"stoa_guess{i}");
            answers.Add((await guesser.GetAsync($"/v1/audit/{tenant}")).StatusCode);
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)), answers);

        var failures = app.Services.GetRequiredService<FailedAuthentications>();
        await failures.FlushAsync(); // the minute is not over: nothing written yet
        Assert.Empty(await RecordsAsync(tenant));
        app.Clock.Now = app.Clock.Now.AddMinutes(1);
        await failures.FlushAsync();
        await failures.FlushAsync(); // twice: still one event
        var record = Assert.Single(await RecordsAsync(tenant));
        Assert.Equal("api_token", record.Target);
        Assert.Equal(5, (int)JsonNode.Parse(record.Details!)!["count"]!);
        Assert.DoesNotContain("stoa_guess", record.Details); // never the secret
    }

    private async Task<List<SecurityEvent>> RecordsAsync(string tenant)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        return await db.Security(new AuditScope(tenant, null)).Where(s => s.Type == "auth_failed").AsNoTracking().ToListAsync();
    }
}
