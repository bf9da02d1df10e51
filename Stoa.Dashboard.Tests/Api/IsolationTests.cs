using System.Text.Json.Nodes;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>Tenant A with a client's consumer and another, tenant B beside it, and an operator and a client to ask.</summary>
public interface IIsolationWorld
{
    string A { get; }
    string B { get; }
    HttpClient Operator { get; }
    HttpClient Client { get; }
}

public static class IsolationData
{
    public static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-2);

    public static async Task SeedAsync(HttpClient ingest, string a, string b)
    {
        await ingest.IngestAsync(a,
            Wire.Request("mine1", T0, consumer: "cons_mine", status: 200),
            Wire.Request("mine2", T0.AddMinutes(1), consumer: "cons_mine", status: 500),
            Wire.Request("other1", T0.AddMinutes(2), consumer: "cons_other", status: 200),
            Wire.Request("other2", T0.AddMinutes(3), consumer: "cons_other", status: 429),
            Wire.Security("s-mine-actor", T0, "rate_limit_exceeded", actor: "cons_mine", target: "policy:rl"),
            Wire.Security("s-mine-target", T0, "consumer_suspended", actor: "admin", target: "cons_mine", outcome: "success"),
            Wire.Security("s-other", T0, "rate_limit_exceeded", actor: "cons_other", target: "policy:rl"),
            Wire.Security("s-ip", T0, "auth_failed", actor: "1.2.3.4", target: "key_x"),
            Wire.Business(T0, actor: "cons_mine", resourceId: "m1"),
            Wire.Business(T0, actor: "cons_other", resourceId: "o1"));
        await ingest.IngestAsync(b, Wire.Request("b1", T0, consumer: "cons_mine"), Wire.Security("sb", T0, actor: "cons_mine"));
    }
}

/// <summary>Signed in with Stoa tokens.</summary>
public sealed class TokenWorld : StoaApp, IIsolationWorld, IAsyncLifetime
{
    public string A { get; } = NewTenant("a");
    public string B { get; } = NewTenant("b");
    public HttpClient Operator { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Operator = await OperatorAsync();
        Client = await ClientWithTokenAsync(Roles.Client, [A], ["cons_mine"], "client-mine");
        await IsolationData.SeedAsync(Operator, A, B);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

/// <summary>Signed in with Microsoft Entra ID: the operator calls with an access token, the client browses with a session.</summary>
public sealed class EntraWorld : EntraApp, IIsolationWorld
{
    public string A { get; } = NewTenant("a");
    public string B { get; } = NewTenant("b");
    public HttpClient Operator { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var operatorUser = DirectoryUser.New("olivia", EntraUser.OperatorAppRole);
        var clientUser = DirectoryUser.New("carl", EntraUser.ClientAppRole);
        await GrantAsync(operatorUser, A);
        await GrantAsync(operatorUser, B);
        await GrantAsync(clientUser, A, "cons_mine");
        Operator = WithAccessToken(operatorUser);
        Client = await SignInAsync(clientUser);
        await IsolationData.SeedAsync(Operator, A, B);
    }
}

/// <summary>
/// A client of tenant A sees its own consumers' records and nothing else, on every endpoint, not
/// even in a count; the same whether it signed in with a Stoa token or with Microsoft Entra ID.
/// </summary>
public abstract class IsolationTests<TWorld>(TWorld world) where TWorld : IIsolationWorld
{
    private static IEnumerable<string> Values(JsonNode page, string array, string field) =>
        page[array]!.AsArray().Select(e => (string)e![field]!);

    [Fact]
    public async Task Request_log_holds_only_the_clients_consumers()
    {
        var page = await world.Client.GetJsonAsync($"/v1/audit/{world.A}");
        Assert.Equal(["mine2", "mine1"], Values(page, "logs", "request_id"));
        Assert.Equal(2, (int)page["count"]!);
        var asked = await world.Client.GetJsonAsync($"/v1/audit/{world.A}?consumer_id=cons_other");
        Assert.Equal(0, (int)asked["count"]!);
        var errors = await world.Client.GetJsonAsync($"/v1/audit/{world.A}?status_min=400");
        Assert.Equal(["mine2"], Values(errors, "logs", "request_id"));
    }

    [Fact]
    public async Task Security_events_are_those_whose_actor_or_target_is_the_clients()
    {
        var page = await world.Client.GetJsonAsync($"/v1/audit/{world.A}/security?order=asc");
        Assert.Equal(["s-mine-actor", "s-mine-target"], Values(page, "events", "event_id").Order());
        var asked = await world.Client.GetJsonAsync($"/v1/audit/{world.A}/security?actor=cons_other");
        Assert.Equal(0, (int)asked["count"]!);
    }

    [Fact]
    public async Task Business_events_are_those_the_clients_consumers_made()
    {
        var page = await world.Client.GetJsonAsync($"/v1/audit/{world.A}/business");
        Assert.Equal(["m1"], Values(page, "events", "resource_id"));
    }

    [Fact]
    public async Task Quota_totals_count_only_the_clients_consumers()
    {
        var stats = await world.Client.GetJsonAsync($"/v1/quotas/{world.A}/stats?days=7");
        Assert.Equal(2, (int)stats["total_requests"]!);
        Assert.Equal(1, stats["daily"]!.AsArray().Sum(d => (int)d!["errors"]!));
        Assert.Equal(0, stats["daily"]!.AsArray().Sum(d => (int)d!["rate_limited"]!));
        Assert.Equal(["cons_mine"], Values(stats, "top_consumers", "consumer_id"));

        var operatorStats = await world.Operator.GetJsonAsync($"/v1/quotas/{world.A}/stats?days=7");
        Assert.Equal(4, (int)operatorStats["total_requests"]!);
    }

    [Theory]
    [InlineData("csv", "requests", "mine1,mine2")]
    [InlineData("json", "requests", "mine1,mine2")]
    [InlineData("ndjson", "requests", "mine1,mine2")]
    [InlineData("csv", "security", "s-mine-actor,s-mine-target")]
    [InlineData("json", "security", "s-mine-actor,s-mine-target")]
    [InlineData("ndjson", "business", "m1")]
    [InlineData("csv", "business", "m1")]
    [InlineData("xlsx", "requests", "mine1,mine2")]
    [InlineData("xlsx", "security", "s-mine-actor,s-mine-target")]
    [InlineData("xlsx", "business", "m1")]
    public async Task Exports_hold_exactly_the_clients_rows(string format, string layer, string expected)
    {
        var url = $"/v1/audit/{world.A}/export/{format}?layer={layer}&to=2026-03-11T11:00:00Z";
        if (format == "xlsx")
        {
            using var book = new ClosedXML.Excel.XLWorkbook(new MemoryStream(await world.Client.GetByteArrayAsync(url)));
            var sheet = book.Worksheet("data");
            var header = layer switch { "requests" => "request_id", "security" => "event_id", _ => "resource_id" };
            var column = sheet.Row(1).CellsUsed().Single(c => c.GetString() == header).Address.ColumnNumber;
            var values = sheet.RangeUsed()!.Rows().Skip(1).Select(r => r.Cell(column).GetString());
            Assert.Equal(expected.Split(','), values.Order());
            return;
        }
        var body = await world.Client.GetStringAsync(url);
        var key = layer switch { "requests" => "request_id", "security" => "event_id", _ => "resource_id" };
        var rows = format switch
        {
            "csv" => CsvColumn(body, key),
            "json" => JsonNode.Parse(body)![layer == "requests" ? "logs" : "events"]!.AsArray().Select(e => (string)e![key]!).ToList(),
            _ => body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (string)JsonNode.Parse(l)![key]!).ToList(),
        };
        Assert.Equal(expected.Split(','), rows.Order());
    }

    private static List<string> CsvColumn(string csv, string header)
    {
        var table = Csv.Parse(csv);
        var index = table[0].IndexOf(header);
        return table.Skip(1).Select(r => r[index]).ToList();
    }

    [Theory]
    [InlineData("")]
    [InlineData("/security")]
    [InlineData("/business")]
    [InlineData("/export/csv")]
    public async Task Another_tenant_and_a_missing_tenant_get_the_same_403(string suffix)
    {
        var forbidden = await (await world.Client.GetAsync($"/v1/audit/{world.B}{suffix}")).ProblemAsync(403);
        var missing = await (await world.Client.GetAsync($"/v1/audit/no_such_tenant{suffix}")).ProblemAsync(403);
        var missingForOperator = await (await world.Operator.GetAsync($"/v1/audit/no_such_tenant{suffix}")).ProblemAsync(403);
        Assert.Equal((string?)forbidden["detail"], (string?)missing["detail"]);
        Assert.Equal((string?)forbidden["detail"], (string?)missingForOperator["detail"]);
        await (await world.Client.GetAsync($"/v1/quotas/{world.B}/stats")).ProblemAsync(403);
    }

}

public sealed class TokenIsolationTests(TokenWorld world) : IsolationTests<TokenWorld>(world), IClassFixture<TokenWorld>
{
    private readonly TokenWorld world = world;
    [Fact]
    public async Task An_operator_granted_some_tenants_reads_only_those()
    {
        var scoped = await world.ClientWithTokenAsync(Roles.Operator, [world.A]);
        Assert.Equal(4, (int)(await scoped.GetJsonAsync($"/v1/audit/{world.A}"))["count"]!);
        await (await scoped.GetAsync($"/v1/audit/{world.B}")).ProblemAsync(403);
        await (await scoped.PostAsync(world.B, Wire.Request("nope", IsolationData.T0))).ProblemAsync(403);
    }

    [Fact]
    public async Task Unknown_revoked_and_expired_tokens_are_401()
    {
        var tokens = world.Services.GetService(typeof(TokenService)) as TokenService;
        var (revoked, revokedSecret) = await tokens!.CreateAsync(new TokenRequest(Roles.Operator, [], [], "r", null));
        await tokens.RevokeAsync(revoked.Id);
        var (_, expiringSecret) = await tokens.CreateAsync(new TokenRequest(Roles.Operator, [], [], "e", TimeSpan.FromHours(1)));

        foreach (var secret in new[] { "stoa_nope_nope", "not-even-a-stoa-token", revokedSecret })
        {
            var client = world.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", secret);
            var response = await client.GetAsync($"/v1/audit/{world.A}");
            await response.ProblemAsync(401);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        }

        var expiring = world.CreateClient();
        expiring.DefaultRequestHeaders.Authorization = new("Bearer", expiringSecret);
        Assert.True((await expiring.GetAsync($"/v1/audit/{world.A}")).IsSuccessStatusCode);
        world.Clock.Now = world.Clock.Now.AddHours(2);
        try
        {
            await (await expiring.GetAsync($"/v1/audit/{world.A}")).ProblemAsync(401);
        }
        finally
        {
            world.Clock.Now = StoaApp.Epoch;
        }
    }
}

public sealed class EntraIsolationTests(EntraWorld world) : IsolationTests<EntraWorld>(world), IClassFixture<EntraWorld>;
