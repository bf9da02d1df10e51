using System.Text.Json.Nodes;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Tests.Live;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Cli;

/// <summary>
/// <c>investigate</c> run as a user runs it (the real program, against the store and against the
/// server), and its figures against the same questions asked through the contract's endpoints,
/// past the 10,000 rows a page of the API holds.
/// </summary>
public sealed class InvestigateCommandTests(LiveApp app) : IClassFixture<LiveApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-10);
    private static string Window => $"from={Wire.Time(T0)}&to={Wire.Time(T0.AddHours(8))}";

    private async Task<(string Tenant, string Secret)> SeedAsync()
    {
        var tenant = StoaApp.NewTenant();
        var (secret, _) = await app.TokenAsync(Roles.Operator, [tenant]);
        var ingest = await app.OperatorAsync(tenant);
        var random = new Random(3);
        var requests = Enumerable.Range(0, 12_000).Select(i => (JsonNode)Wire.Request($"r{i}", T0.AddSeconds(i * 2),
            consumer: $"cons_{random.Next(15):D2}", status: random.Next(20) switch { 0 => 500, 1 => 401, 2 => 429, 3 => 404, _ => 200 },
            method: random.Next(4) == 0 ? "POST" : "GET", path: $"/api/p{random.Next(30)}")).ToArray();
        foreach (var chunk in requests.Chunk(4000)) await ingest.IngestAsync(tenant, chunk);
        await ingest.IngestAsync(tenant, Enumerable.Range(0, 300).Select(i => (JsonNode)Wire.Security($"s{i}", T0.AddMinutes(i),
            type: i % 3 == 0 ? "rate_limit_exceeded" : "auth_failed", actor: i % 2 == 0 ? "cons_03" : "10.0.0.1", target: $"key_{i % 5}")).ToArray());
        return (tenant, secret);
    }

    [Fact]
    public async Task Investigate_prints_the_four_sections_exactly_as_the_api_answers_them()
    {
        var (tenant, secret) = await SeedAsync();
        var client = await app.OperatorAsync(tenant);
        string[] window = ["--from", Wire.Time(T0), "--to", Wire.Time(T0.AddHours(8))];

        var fromServer = await RunAsync(["--url", app.BaseUri.ToString(), "--token", secret, "--tenant", tenant, "--consumer", "cons_03", .. window, "--json"]);
        var fromStore = await RunAsync(["--tenant", tenant, "--consumer", "cons_03", .. window, "--json"], app.DatabasePath);
        Assert.Equal(fromServer.ToJsonString(), fromStore.ToJsonString());

        // 1 and 2: the quota stats of the same window.
        var stats = await client.GetJsonAsync($"/v1/quotas/{tenant}/stats?{Window}");
        Assert.Equal(12_000, (long)fromStore["requests"]!["total"]!);
        Assert.Equal((long)stats["total_requests"]!, (long)fromStore["requests"]!["total"]!);
        Assert.Equal(stats["top_consumers"]!.AsArray().Select(c => ((string)c!["consumer_id"]!, (long)c["requests"]!)),
            fromStore["top_consumers"]!.AsArray().Select(c => ((string)c!["consumer_id"]!, (long)c["requests"]!)));
        var logs = await AllAsync(client, $"/v1/audit/{tenant}?{Window}", "logs");
        Assert.Equal(logs.Count(e => (int)e["status_code"]! >= 500), (long)fromStore["requests"]!["status_5xx"]!);

        // 3: the security events, paged through and counted.
        var security = await AllAsync(client, $"/v1/audit/{tenant}/security?{Window}", "events");
        Assert.Equal(security.GroupBy(e => (string)e["event_type"]!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => ((string)g.Key, (long)g.Count())),
            fromStore["security"]!.AsArray().Select(s => ((string)s!["event_type"]!, (long)s["count"]!)));

        // 4: the consumer, from its own requests and the security events that involve it.
        var consumer = fromStore["consumer"]!;
        var mine = logs.Where(e => (string)e["consumer_id"]! == "cons_03").ToList();
        Assert.Equal(mine.Count, (long)consumer["requests"]!);
        Assert.Equal(mine.Count(e => (int)e["status_code"]! >= 400), (long)consumer["errors"]!);
        Assert.Equal(mine.GroupBy(e => (string)e["method"]!).ToDictionary(g => g.Key, g => (long)g.Count()),
            consumer["methods"]!.AsArray().ToDictionary(m => (string)m!["method"]!, m => (long)m!["count"]!));
        Assert.Equal(security.Count(e => (string)e["actor"]! == "cons_03" || (string)e["target"]! == "cons_03"),
            consumer["security"]!.AsArray().Sum(s => (long)s!["count"]!));
    }

    [Fact]
    public async Task Investigate_prints_text_for_people_and_says_what_is_wrong()
    {
        var (tenant, secret) = await SeedAsync();
        var text = await AppBuild.RunAsync("dotnet", [AppBuild.DllPath, "investigate", "--url", app.BaseUri.ToString(), "--token", secret,
            "--tenant", tenant, "--from", Wire.Time(T0), "--to", Wire.Time(T0.AddHours(8)), "--consumer", "cons_03"], null);
        Assert.True(text.ExitCode == 0, text.Output);
        Assert.Contains("== 1. Error rate", text.Output);
        Assert.Contains("requests 12,000", text.Output);
        Assert.Contains("== 2. Top consumers by volume", text.Output);
        Assert.Contains("== 3. Security events", text.Output);
        Assert.Contains("== 4. Consumer cons_03", text.Output);

        var forbidden = await AppBuild.RunAsync("dotnet", [AppBuild.DllPath, "investigate", "--url", app.BaseUri.ToString(), "--token", secret,
            "--tenant", "someone_elses"], null);
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Contains("Cannot investigate (403)", forbidden.Output);
        var usage = await AppBuild.RunAsync("dotnet", [AppBuild.DllPath, "investigate", "--consumer", "c"], null);
        Assert.Equal(2, usage.ExitCode);
    }

    private static async Task<JsonNode> RunAsync(string[] args, string? databasePath = null)
    {
        var environment = databasePath is null ? null : TestStore.Environment(databasePath);
        var (exitCode, output) = await AppBuild.RunAsync("dotnet", [AppBuild.DllPath, "investigate", .. args], environment);
        Assert.True(exitCode == 0, output);
        return JsonNode.Parse(output)!;
    }

    private static async Task<List<JsonNode>> AllAsync(HttpClient client, string url, string array)
    {
        var all = new List<JsonNode>();
        for (var cursor = ""; ;)
        {
            var page = await client.GetJsonAsync($"{url}&limit=10000{cursor}");
            all.AddRange(page[array]!.AsArray().Select(e => e!));
            if ((string?)page["next_cursor"] is not { } next) return all;
            cursor = $"&cursor={Uri.EscapeDataString(next)}";
        }
    }
}
