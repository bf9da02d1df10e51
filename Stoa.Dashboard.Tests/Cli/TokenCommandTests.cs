using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Cli;

/// <summary>The token commands, run as a user runs them: the real program, on a brand-new store.</summary>
public sealed class TokenCommandTests(StoaApp app) : IClassFixture<StoaApp>
{
    [Fact]
    public async Task Create_list_and_revoke_work_on_a_new_store()
    {
        var created = await RunAsync("tokens", "create", "--role", "client", "--tenant", "tenant_cli", "--consumer", "cons_1",
            "--consumer", "cons_2", "--name", "acme-auditor", "--expires", "30d");
        Assert.Equal(0, created.ExitCode);
        var token = created.Lines[^1];
        Assert.StartsWith("stoa_", token);
        Assert.Contains("acme-auditor", created.Output);

        var list = await RunAsync("tokens", "list");
        var row = Assert.Single(list.Lines, l => l.Contains("acme-auditor"));
        Assert.Contains("client", row);
        Assert.Contains("cons_1 cons_2", row);
        Assert.Contains("active", row);
        Assert.DoesNotContain(token, list.Output);

        // The server on the same store accepts it, for the tenant the token named.
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/audit/tenant_cli")).StatusCode);

        var id = row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Equal(0, (await RunAsync("tokens", "revoke", id)).ExitCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/audit/tenant_cli")).StatusCode);
        Assert.Contains("revoked", Assert.Single((await RunAsync("tokens", "list")).Lines, l => l.Contains("acme-auditor")));
    }

    [Theory]
    [InlineData("--role", "client", "--tenant", "t1")] // a client needs consumers
    [InlineData("--role", "ingest")] // an ingest token needs its tenant
    [InlineData("--role", "king", "--tenant", "t1")]
    [InlineData("--role", "operator", "--expires", "soon")]
    [InlineData("--role", "operator", "--tenant", "bad tenant")]
    public async Task Invalid_create_says_what_to_fix_and_creates_nothing(params string[] options)
    {
        var result = await RunAsync(["tokens", "create", .. options]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage", result.Error);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("stoa_"));
    }

    [Fact]
    public async Task Revoking_an_unknown_id_fails()
    {
        var result = await RunAsync("tokens", "revoke", "nope");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No token", result.Error);
    }

    private sealed record Run(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private async Task<Run> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(AppBuild.DllPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in TestStore.Environment(app.DatabasePath)) start.Environment[name] = value;
        start.WorkingDirectory = Path.GetDirectoryName(app.DatabasePath)!;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }
}
