using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Cli;

/// <summary>
/// <c>investigate --tenant T [--consumer C] [--hours 24 | --days N | --from T [--to T]] [--json] [--url URL --token T]</c>:
/// the article's <c>investigate.sh</c> in one command: error rate, top consumers by volume, security
/// events by type, and the consumer's activity, exact over the whole window. Against this machine's
/// store, or a running server's API with <c>--url</c>.
/// </summary>
public sealed class InvestigateCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          investigate --tenant T [--consumer C] [--hours 24 | --days N | --from 2026-03-10T00:00:00Z [--to …]] [--json]   (this machine's store)
          investigate --url http://localhost:5126 --token stoa_… --tenant T [--consumer C] [--hours 24 | …] [--json]
        Prints the error rate, the top consumers by volume, the security events by type and the consumer's activity.
        """;

    private readonly Dictionary<string, string> _options = Parse(args);

    public bool NeedsStore => !_options.ContainsKey("--url");

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        if (!_options.TryGetValue("--tenant", out var tenant) || (_options.ContainsKey("--url") != _options.ContainsKey("--token"))
            || _options.ContainsKey("?"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var lengthGiven = _options.ContainsKey("--hours") || _options.ContainsKey("--days") || _options.ContainsKey("--from");
        var query = new Dictionary<string, string?>
        {
            ["hours"] = _options.GetValueOrDefault("--hours") ?? (lengthGiven ? null : "24"),
            ["days"] = _options.GetValueOrDefault("--days"),
            ["from"] = _options.GetValueOrDefault("--from"),
            ["to"] = _options.GetValueOrDefault("--to"),
            ["consumer_id"] = _options.GetValueOrDefault("--consumer"),
        };
        JsonElement answer;
        if (_options.TryGetValue("--url", out var url))
        {
            using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _options["--token"]);
            using var response = await http.GetAsync($"v1/audit/{Uri.EscapeDataString(tenant)}/investigate" +
                Microsoft.AspNetCore.Http.QueryString.Create(query.Where(kv => kv.Value is not null)));
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"Cannot investigate ({(int)response.StatusCode}): " +
                    (TryDetail(body) ?? response.ReasonPhrase));
                return 1;
            }
            answer = JsonDocument.Parse(body).RootElement;
        }
        else
        {
            ArgumentNullException.ThrowIfNull(services);
            var reader = new QueryReader(new Microsoft.AspNetCore.Http.QueryCollection(query.Where(kv => kv.Value is not null)
                .ToDictionary(kv => kv.Key, kv => new Microsoft.Extensions.Primitives.StringValues(kv.Value))), services.GetRequiredService<TimeProvider>());
            var window = reader.Window();
            var consumer = reader.Identifier("consumer_id");
            if (!Identifiers.IsValid(tenant)) reader.Problem("tenant", $"use {Identifiers.Rule}.");
            if (reader.Problems.Count > 0)
            {
                await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, reader.Problems.Select(p => $"--{p.Parameter.Replace("_id", "")}: {p.Message}")));
                return 2;
            }
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
            await using var db = await services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
            // This machine's store: whoever can read its file sees every tenant, as an operator.
            var to = window.ToMs ?? now;
            var investigation = await Investigation.RunAsync(db, new AuditScope(tenant, null), new TimeWindow(window.FromMs ?? to - AuditTime.DayMs, to), consumer,
                services.GetRequiredService<IOptions<StoaOptions>>().Value.Dashboard.TroubleThreshold);
            using var buffer = new MemoryStream();
            await using (var w = new Utf8JsonWriter(buffer)) investigation.Write(w);
            answer = JsonDocument.Parse(buffer.ToArray()).RootElement;
        }
        Console.Write(_options.ContainsKey("--json") ? JsonSerializer.Serialize(answer) + Environment.NewLine : Investigation.Text(answer));
        return 0;
    }

    private static string? TryDetail(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Options with a value, and <c>--json</c>; anything else makes <c>?</c> (usage).</summary>
    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json") options["--json"] = "";
            else if (args[i] is "--tenant" or "--consumer" or "--hours" or "--days" or "--from" or "--to" or "--url" or "--token" && i + 1 < args.Length)
                options[args[i]] = args[++i];
            else options["?"] = args[i];
        }
        return options;
    }
}
