using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>
/// The real app on a fresh store of its own (a SQLite file, or a PostgreSQL database: <see cref="TestStore"/>), with a clock the tests set. One per test class;
/// tests inside a class use tenants of their own (<see cref="NewTenant"/>) so they never collide.
/// </summary>
public class StoaApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Epoch = new(2026, 3, 11, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-test-").FullName;

    public TestClock Clock { get; } = new(Epoch);
    public string DatabasePath => Path.Combine(_folder, "audit.db");
    /// <summary>The app's settings; the per-caller limits are lifted, so tests that ask a lot are not refused (RateLimitTests sets them low).</summary>
    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["Stoa:Limits:FailedAuthPerMinute"] = "1000000",
        ["Stoa:Limits:ReadsPerSecond"] = "1000000",
        ["Stoa:Limits:ReadBurst"] = "1000000",
        ["Stoa:Limits:IngestBatchesPerSecond"] = "1000000",
        ["Stoa:Limits:IngestBurst"] = "1000000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in TestStore.Settings(DatabasePath)) builder.UseSetting(key, value);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public static string NewTenant(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..20];

    /// <summary>Issues a token through the app's own service and returns a client that sends it.</summary>
    public async Task<HttpClient> ClientWithTokenAsync(string role, string[] tenants, string[]? consumers = null, string? name = null)
    {
        var tokens = Services.GetRequiredService<TokenService>();
        var (_, secret) = await tokens.CreateAsync(new TokenRequest(role, tenants, consumers ?? [], name, null));
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public Task<HttpClient> OperatorAsync(params string[] tenants) => ClientWithTokenAsync(Roles.Operator, tenants, name: "test-operator");

    /// <summary>Signs in on the sign-in form with the token, as a browser does (the antiforgery field included); the client keeps the cookie.</summary>
    public static async Task<HttpResponseMessage> SignInWithFormAsync(HttpClient browser, string secret, string returnUrl = "/")
    {
        var form = await browser.GetStringAsync("/signin");
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await browser.PostAsync("/auth/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = secret, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = antiforgery,
        }));
    }

    /// <summary>The tenant's export records (admin actions on <c>export:…</c>): their details, started and ended.</summary>
    public async Task<List<System.Text.Json.Nodes.JsonNode>> ExportRecordsAsync(string tenant)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        var details = await db.Security(new AuditScope(tenant, null)).Where(s => s.Type == "admin_action" && s.Target.StartsWith("export:"))
            .Select(s => s.Details!).ToListAsync();
        return details.Select(d => System.Text.Json.Nodes.JsonNode.Parse(d)!).ToList();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestStore.Drop(DatabasePath);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
