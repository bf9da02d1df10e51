using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Forwarding;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Cli;

/// <summary>
/// <c>destinations list|add|delete …</c> on this machine's store (the destinations page and API do the
/// same on a running server, whose forwarder takes a change up within a second).
/// </summary>
public sealed class DestinationsCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          destinations list TENANT
          destinations add TENANT NAME webhook|syslog|kafka TARGET [format=json|slack|cef] [topic=T] [kinds=request,security]
                           [event_types=auth_failed,key_revoked] [ca_file=PEM] [sasl_username=U] [backfill=true]
                           (a Kafka SASL password is read from STOA_SASL_PASSWORD, never from the command line)
          destinations delete TENANT ID
        """;

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        var destinations = services!.GetRequiredService<Destinations>();
        switch (args)
        {
            case ["list", var tenant]:
                foreach (var s in await destinations.ListAsync(tenant))
                {
                    var d = s.Destination;
                    Console.WriteLine($"{d.Id}  {d.Name}  {d.Kind} {d.Target}{(d.Topic is null ? "" : $" → {d.Topic}")} ({d.Format})  {s.State}, " +
                        $"delivered up to seq {d.DeliveredSeq}, {s.LagEvents:N0} behind{(d.LastError is null ? "" : $", last error: {d.LastError}")}");
                }
                return 0;
            case ["add", var tenant, var name, var kind, var target, .. var rest]:
                if (CommandOptions.Read(rest, ["format", "topic", "kinds", "event_types", "ca_file", "sasl_username", "backfill"]) is not { } o)
                    return await CommandOptions.FailAsync(Usage, 2);
                var request = new DestinationRequest(name, kind, target, o.GetValueOrDefault("topic"), o.GetValueOrDefault("format"),
                    o.GetValueOrDefault("ca_file"), o.GetValueOrDefault("sasl_username"), Environment.GetEnvironmentVariable("STOA_SASL_PASSWORD"),
                    CommandOptions.List(o, "kinds"), CommandOptions.List(o, "event_types"), o.GetValueOrDefault("backfill") == "true");
                if (Destinations.Check(request) is { Count: > 0 } problems) return await CommandOptions.FailAsync(problems);
                var (destination, secret) = await destinations.AddAsync(CommandOptions.Cli, tenant, request);
                Console.WriteLine($"Destination {destination.Id} added, from seq {destination.DeliveredSeq + 1}.");
                if (secret is not null) Console.WriteLine($"Its signing secret, shown this once: {secret}");
                return 0;
            case ["delete", var tenant, var id] when long.TryParse(id, out var destinationId):
                if (!await destinations.DeleteAsync(CommandOptions.Cli, tenant, destinationId)) return await CommandOptions.FailAsync($"{tenant} has no destination {destinationId}.");
                Console.WriteLine($"Destination {destinationId} deleted.");
                return 0;
            default:
                return await CommandOptions.FailAsync(Usage, 2);
        }
    }
}

/// <summary><c>alerts …</c>: what fired, and the rules, on this machine's store.</summary>
public sealed class AlertsCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          alerts TENANT [DAYS]                 (the alerts of the last DAYS days, 7 by default, newest first)
          alerts rules TENANT
          alerts recommended TENANT            (one rule of each type, with its defaults)
          alerts add TENANT TYPE [name=N] [threshold=20] [window_minutes=5] [min_events=50] [event_types=key_revoked,…] [notify=1,2]
                                               (TYPE: brute_force, error_rate, server_errors, runaway_job, event_types)
          alerts delete TENANT RULE_ID
        """;

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        var rules = services!.GetRequiredService<AlertRules>();
        var actor = CommandOptions.Cli.Name;
        switch (args)
        {
            case ["rules", var tenant]:
                foreach (var r in await rules.ListAsync(tenant))
                    Console.WriteLine($"{r.Id}  {r.Name}  {r.Type} threshold {r.Threshold} within {r.WindowMinutes} min" +
                        $"{(r.MinEvents > 0 ? $" of at least {r.MinEvents}" : "")}{(r.EventTypes is null ? "" : $" ({r.EventTypes})")}" +
                        $"{(r.Notify is null ? "" : $", notifies {r.Notify}")}");
                return 0;
            case ["recommended", var tenant]:
                Console.WriteLine($"{Formats.Count((await rules.AddRecommendedAsync(actor, tenant)).Count, "rule")} added.");
                return 0;
            case ["add", var tenant, var type, .. var rest]:
                if (CommandOptions.Read(rest, ["name", "threshold", "window_minutes", "min_events", "event_types", "notify"]) is not { } o)
                    return await CommandOptions.FailAsync(Usage, 2);
                if (!CommandOptions.Number(o, "threshold", out var threshold) || !CommandOptions.Number(o, "window_minutes", out var window)
                    || !CommandOptions.Number(o, "min_events", out var min))
                    return await CommandOptions.FailAsync("threshold, window_minutes and min_events take numbers (threshold=20, window_minutes=5).");
                var notify = CommandOptions.List(o, "notify")?.Select(id => long.TryParse(id, out var v) ? v : -1).ToList();
                var request = new AlertRuleRequest(o.GetValueOrDefault("name"), type, threshold, (int?)window, (int?)min, CommandOptions.List(o, "event_types"), notify);
                var destinationIds = (await services!.GetRequiredService<Destinations>().ListAsync(tenant)).Select(d => d.Destination.Id).ToList();
                if (AlertRules.Check(request, destinationIds) is { Count: > 0 } problems) return await CommandOptions.FailAsync(problems);
                Console.WriteLine($"Rule {(await rules.AddAsync(actor, tenant, request)).Id} added; it counts the events stored from now on.");
                return 0;
            case ["delete", var tenant, var id] when long.TryParse(id, out var ruleId):
                if (!await rules.DeleteAsync(actor, tenant, ruleId)) return await CommandOptions.FailAsync($"{tenant} has no alert rule {ruleId}.");
                Console.WriteLine($"Rule {ruleId} deleted.");
                return 0;
            case [var tenant, .. var rest] when rest.Length <= 1 && tenant is not ("rules" or "recommended" or "add" or "delete"):
                var days = rest.Length == 0 ? 7 : int.TryParse(rest[0], out var d) && d > 0 ? d : -1;
                if (days < 0) return await CommandOptions.FailAsync(Usage, 2);
                var now = services!.GetRequiredService<TimeProvider>().GetUtcNow();
                var episodes = await rules.HistoryAsync(tenant, (now - TimeSpan.FromDays(days)).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), 1_000);
                foreach (var e in episodes)
                    Console.WriteLine($"{AuditTime.Print(e.Alert.FiredAtMs)}  {(e.Ongoing ? "ongoing" : "over   ")}  {e.Alert.Summary} " +
                        $"({Formats.Count(e.Alert.Count, "event")} to {AuditTime.Print(e.Alert.LastAtMs)}, trigger seq {e.Alert.TriggerSeq})");
                if (episodes.Count == 0) Console.WriteLine($"No alert fired in the last {Formats.Count(days, "day")}.");
                return 0;
            default:
                return await CommandOptions.FailAsync(Usage, 2);
        }
    }
}

/// <summary>What the store commands share: their caller, <c>name=value</c> options, and failing with a message.</summary>
public static class CommandOptions
{
    /// <summary>Changes made from the command line are recorded as made by the machine's user.</summary>
    public static Caller Cli => Caller.From(TokenPrincipal.Create(new ApiToken
    {
        Id = "cli", Name = $"cli:{Environment.UserName}", Role = Roles.Operator, Tenants = StoaClaims.AllTenants, SecretHash = "",
    }, "Cli"));

    /// <summary>The <c>name=value</c> arguments, each name one of <paramref name="known"/>; null when one is not.</summary>
    public static Dictionary<string, string>? Read(string[] args, string[] known)
    {
        var options = new Dictionary<string, string>();
        foreach (var arg in args)
        {
            if (arg.Split('=', 2) is not [var name, var value] || !known.Contains(name) || !options.TryAdd(name, value)) return null;
        }
        return options;
    }

    public static List<string>? List(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList() : null;

    /// <summary>The option as a number (null when not given); false when it is given but not a number.</summary>
    public static bool Number(Dictionary<string, string> options, string name, out double? value)
    {
        value = null;
        if (!options.TryGetValue(name, out var text)) return true;
        if (!double.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number)) return false;
        value = number;
        return true;
    }

    public static Task<int> FailAsync(IEnumerable<QueryProblem> problems) =>
        FailAsync(string.Join(Environment.NewLine, problems.Select(p => $"{p.Parameter}: {p.Message}")));

    public static async Task<int> FailAsync(string message, int code = 1)
    {
        await Console.Error.WriteLineAsync(message);
        return code;
    }
}
