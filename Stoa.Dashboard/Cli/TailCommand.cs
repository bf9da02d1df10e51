using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Stoa.Dashboard.Live;

namespace Stoa.Dashboard.Cli;

/// <summary>
/// <c>tail --url URL --token T --tenant T [--consumer C] [--status-class N] [--method M] [--path-prefix P] [--kind K]</c>:
/// a terminal live tail over the hub, one line per event as it arrives, until Ctrl-C.
/// </summary>
public sealed class TailCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          tail --url http://localhost:5126 --token stoa_… --tenant T [--consumer C] [--status-class 5] [--method GET] [--path-prefix /api] [--kind request|security|business]
        Prints one line per event as it arrives, until Ctrl-C.
        """;

    public bool NeedsStore => false;

    public async Task<int> RunAsync(IServiceProvider? services) => await RunAsync(Console.Out, CancellationToken.None);

    public async Task<int> RunAsync(TextWriter output, CancellationToken stop)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
        if (args.Length % 2 != 0 || !options.ContainsKey("--url") || !options.ContainsKey("--token") || !options.ContainsKey("--tenant"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var filter = new HubFilter(options.GetValueOrDefault("--consumer"),
            options.TryGetValue("--status-class", out var cls) && int.TryParse(cls, out var c) ? c : null,
            options.GetValueOrDefault("--method"), options.GetValueOrDefault("--path-prefix"), options.GetValueOrDefault("--kind"));
        var tenant = options["--tenant"];

        await using var connection = new HubConnectionBuilder()
            .WithUrl(options["--url"].TrimEnd('/') + AuditHub.Path, o => o.AccessTokenProvider = () => Task.FromResult<string?>(options["--token"]))
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .WithAutomaticReconnect()
            .Build();
        var lines = new Lock();
        connection.On<JsonElement>(AuditHub.EventsMessage, events =>
        {
            lock (lines)
                foreach (var e in events.EnumerateArray()) output.WriteLine(Line(e));
        });
        connection.Reconnected += _ => connection.InvokeAsync("Subscribe", tenant, filter);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        try
        {
            await connection.StartAsync(cancel.Token);
            await connection.InvokeAsync("Subscribe", tenant, filter, cancel.Token);
        }
        catch (Exception e) when (e is HttpRequestException or HubException)
        {
            Console.Error.WriteLine($"Cannot tail {tenant}: {e.Message}");
            return 1;
        }
        output.WriteLine($"# tailing {tenant} at {options["--url"]}; Ctrl-C to stop");
        var ended = await Task.WhenAny(closed.Task, Task.Delay(Timeout.Infinite, cancel.Token).ContinueWith(_ => (Exception?)null));
        if (ended == closed.Task)
        {
            Console.Error.WriteLine("The server closed the connection (is the token revoked or expired?).");
            return 1;
        }
        return 0;
    }

    /// <summary><c>2026-03-11T03:17:42.123Z  request   cons_xyz789  DELETE /api/documents/12345 → 204</c></summary>
    public static string Line(JsonElement e)
    {
        string S(string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "";
        return S("event_type") switch
        {
            "api_request" => $"{S("timestamp")}  request   {S("consumer_id")}  {S("method")} {S("path")} → {S("status_code")}",
            "business_audit" => $"{S("timestamp")}  business  {S("actor_id")}  {S("action")} {S("resource_type")}/{S("resource_id")}",
            _ => $"{S("timestamp")}  security  {S("actor")} → {S("target")}  {S("event_type")} ({S("outcome")})",
        };
    }
}
