using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>
/// The article's <c>investigate.sh</c> in one call: the window's error rate, the top consumers by
/// volume, the security events by type, and one consumer's activity. Every figure is counted in the
/// store over the whole window (rollups and grouped queries, no page of rows), through the caller's
/// scope. The API (<c>GET /v1/audit/{tenant}/investigate</c>) and the <c>investigate</c> command
/// print this one record.
/// </summary>
public sealed record Investigation(string TenantId, TimeWindow Window, Triage Triage, string? ConsumerId, ConsumerProfile? Consumer,
    IReadOnlyList<TypeCount> ConsumerSecurity)
{
    public static async Task<Investigation> RunAsync(AuditDbContext db, AuditScope scope, TimeWindow window, string? consumerId,
        double troubleThreshold, CancellationToken ct = default)
    {
        var triage = await Triage.LoadAsync(db, scope, window, troubleThreshold, ct);
        if (consumerId is null) return new Investigation(scope.TenantId, window, triage, null, null, []);
        var consumer = await ConsumerProfile.LoadAsync(db, scope, consumerId, window, ct);
        // Counted, not read from the profile's list (which keeps the latest 500 to show).
        var security = await db.Security(scope).InWindow(window).Where(EventRules.Involves<SecurityEvent>(consumerId))
            .GroupBy(s => s.Type).Select(g => new TypeCount(g.Key, g.LongCount())).ToListAsync(ct);
        return new Investigation(scope.TenantId, window, triage, consumerId, consumer,
            security.OrderByDescending(s => s.Count).ThenBy(s => s.Type, StringComparer.Ordinal).ToList());
    }

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("tenant_id", TenantId);
        w.WriteString("from", AuditTime.Print(Window.FromMs!.Value));
        w.WriteString("to", AuditTime.Print(Window.ToMs!.Value));
        w.WriteStartObject("requests");
        w.WriteNumber("total", Triage.Total);
        w.WriteNumber("status_4xx", Triage.Status4xx);
        w.WriteNumber("status_5xx", Triage.Status5xx);
        w.WriteNumber("status_429", Triage.Status429);
        w.WriteNumber("error_rate", Math.Round(Triage.ErrorRate, 6));
        w.WriteEndObject();
        w.WriteStartArray("top_consumers");
        foreach (var c in Triage.TopConsumers) WriteConsumer(w, c.ConsumerId, c.ConsumerName, c.Mix);
        w.WriteEndArray();
        WriteTypes(w, Triage.SecurityByType);
        if (ConsumerId is null) w.WriteNull("consumer");
        else if (Consumer is not { } p)
        {
            w.WriteStartObject("consumer");
            w.WriteString("consumer_id", ConsumerId);
            w.WriteNumber("requests", 0);
            w.WriteEndObject();
        }
        else
        {
            w.WritePropertyName("consumer");
            w.WriteStartObject();
            w.WriteString("consumer_id", p.ConsumerId);
            w.WriteString("consumer_name", p.ConsumerName);
            w.WriteNumber("requests", p.Mix.Requests);
            w.WriteNumber("errors", p.Mix.Errors);
            w.WriteNumber("error_rate", Math.Round(p.Mix.ErrorRate, 6));
            WriteCounts(w, "statuses", "status_code", p.Statuses);
            WriteCounts(w, "methods", "method", p.Methods);
            WriteCounts(w, "top_paths", "path", p.TopPaths);
            w.WriteNumber("latency_p50_ms", p.LatencyP50);
            w.WriteNumber("latency_p95_ms", p.LatencyP95);
            if (p.FirstSeenMs is { } first) w.WriteString("first_seen", AuditTime.Print(first)); else w.WriteNull("first_seen");
            if (p.LastSeenMs is { } last) w.WriteString("last_seen", AuditTime.Print(last)); else w.WriteNull("last_seen");
            w.WriteStartArray("keys");
            foreach (var key in p.KeyIds) w.WriteStringValue(key);
            w.WriteEndArray();
            WriteTypes(w, ConsumerSecurity);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteTypes(Utf8JsonWriter w, IEnumerable<TypeCount> types)
    {
        w.WriteStartArray("security");
        foreach (var s in types)
        {
            w.WriteStartObject();
            w.WriteString("event_type", s.Type);
            w.WriteNumber("count", s.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteConsumer(Utf8JsonWriter w, string id, string name, ErrorMix mix)
    {
        w.WriteStartObject();
        w.WriteString("consumer_id", id);
        w.WriteString("consumer_name", name);
        w.WriteNumber("requests", mix.Requests);
        w.WriteNumber("errors", mix.Errors);
        w.WriteNumber("error_rate", Math.Round(mix.ErrorRate, 6));
        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, string key, IEnumerable<NamedCount> counts)
    {
        w.WriteStartArray(name);
        foreach (var c in counts)
        {
            w.WriteStartObject();
            w.WriteString(key, c.Name);
            w.WriteNumber("count", c.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The four sections for a terminal, read back from the JSON (so the store and the API print alike).</summary>
    public static string Text(JsonElement json)
    {
        var text = new StringBuilder();
        string N(JsonElement e) => e.GetInt64().ToString("N0", CultureInfo.InvariantCulture);
        string P(JsonElement e) => (e.GetDouble() * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";
        text.AppendLine($"# {json.GetProperty("tenant_id").GetString()}, {json.GetProperty("from").GetString()} → {json.GetProperty("to").GetString()}");
        var r = json.GetProperty("requests");
        text.AppendLine().AppendLine("== 1. Error rate");
        text.AppendLine($"requests {N(r.GetProperty("total"))}   4xx {N(r.GetProperty("status_4xx"))}   5xx {N(r.GetProperty("status_5xx"))}   " +
            $"429 {N(r.GetProperty("status_429"))}   error rate {P(r.GetProperty("error_rate"))}");
        text.AppendLine().AppendLine("== 2. Top consumers by volume");
        foreach (var c in json.GetProperty("top_consumers").EnumerateArray())
            text.AppendLine($"{N(c.GetProperty("requests")),12}  {c.GetProperty("consumer_id").GetString(),-24} {c.GetProperty("consumer_name").GetString(),-24} " +
                $"{P(c.GetProperty("error_rate")),8} errors");
        text.AppendLine().AppendLine("== 3. Security events");
        foreach (var s in json.GetProperty("security").EnumerateArray())
            text.AppendLine($"{N(s.GetProperty("count")),12}  {s.GetProperty("event_type").GetString()}");
        if (json.GetProperty("consumer") is { ValueKind: JsonValueKind.Object } consumer)
        {
            text.AppendLine().AppendLine($"== 4. Consumer {consumer.GetProperty("consumer_id").GetString()}");
            if (!consumer.TryGetProperty("consumer_name", out var name))
                text.AppendLine("no request in the window");
            else
            {
                text.AppendLine($"{name.GetString()}: {N(consumer.GetProperty("requests"))} requests, {N(consumer.GetProperty("errors"))} errors " +
                    $"({P(consumer.GetProperty("error_rate"))}), latency p50 {consumer.GetProperty("latency_p50_ms").GetInt64()} ms, " +
                    $"p95 {consumer.GetProperty("latency_p95_ms").GetInt64()} ms, last seen {consumer.GetProperty("last_seen").GetString()}");
                foreach (var (section, key) in new[] { ("statuses", "status_code"), ("methods", "method"), ("top_paths", "path"), ("security", "event_type") })
                {
                    text.AppendLine($"  {section.Replace('_', ' ')}:");
                    foreach (var c in consumer.GetProperty(section).EnumerateArray())
                        text.AppendLine($"{N(c.GetProperty("count")),12}  {c.GetProperty(key).GetString()}");
                }
            }
        }
        return text.ToString();
    }
}
