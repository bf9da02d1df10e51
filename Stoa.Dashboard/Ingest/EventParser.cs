using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Turns a request body (JSON array or NDJSON) into events, checking every field of every event so
/// that a rejected batch lists all its problems at once.
/// </summary>
public static class EventParser
{
    private const int MaxTextLength = 2048;
    /// <summary>details, changes and metadata: well inside a spreadsheet cell's 32,767 characters.</summary>
    private const int MaxObjectLength = 16 * 1024;
    /// <summary>A day: no request a gateway answers takes longer.</summary>
    public const long MaxLatencyMs = 86_400_000;
    /// <summary>1 TiB a request or response: far above any real one, and low enough that no sum of them overflows.</summary>
    public const long MaxSizeBytes = 1L << 40;
    /// <summary>The earliest timestamp taken (2000-01-01); the latest is a day after now.</summary>
    public static readonly long MinTimestampMs = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <remarks>The JSON documents read the body in place: no copy of it is made.</remarks>
    public static EventBatch Parse(ReadOnlyMemory<byte> body, bool ndjson, string tenantId, long nowMs)
    {
        var batch = new EventBatch();
        var context = new BatchContext(tenantId, nowMs + AuditTime.DayMs, batch);
        if (ndjson) ParseNdjson(body, context);
        else ParseJson(body, context);
        return batch;
    }

    private sealed record BatchContext(string TenantId, long MaxTimestampMs, EventBatch Batch);

    private static void ParseJson(ReadOnlyMemory<byte> body, BatchContext context)
    {
        var batch = context.Batch;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            var hint = body.Span.TrimStart(" \r\n\t"u8).StartsWith("{"u8)
                ? " To send one event per line, use Content-Type: application/x-ndjson."
                : "";
            batch.Problems.Add(new(-1, "body", $"The body is not valid JSON ({e.Message}).{hint}"));
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                ParseEvent(root, 0, context);
                return;
            }
            if (root.ValueKind != JsonValueKind.Array)
            {
                batch.Problems.Add(new(-1, "body", "The body must be a JSON array of events (or NDJSON with Content-Type: application/x-ndjson)."));
                return;
            }
            var index = 0;
            foreach (var element in root.EnumerateArray())
                ParseEvent(element, index++, context);
        }
    }

    private static void ParseNdjson(ReadOnlyMemory<byte> body, BatchContext context)
    {
        var batch = context.Batch;
        var index = 0;
        foreach (var range in body.Span.Split((byte)'\n'))
        {
            var line = TrimBlanks(body[range]);
            if (line.IsEmpty) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                ParseEvent(document.RootElement, index, context);
            }
            catch (JsonException e)
            {
                batch.Problems.Add(new(index, "body", $"Line is not valid JSON ({e.Message})."));
            }
            index++;
        }
    }

    private static ReadOnlyMemory<byte> TrimBlanks(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var start = span.Length - span.TrimStart(" \r\t"u8).Length;
        return line.Slice(start, span.Trim(" \r\t"u8).Length);
    }

    private static void ParseEvent(JsonElement element, int index, BatchContext context)
    {
        var (tenantId, batch) = (context.TenantId, context.Batch);
        if (element.ValueKind != JsonValueKind.Object)
        {
            batch.Problems.Add(new(index, "event", "Each event must be a JSON object."));
            return;
        }
        var fields = new FieldReader(element, index, batch.Problems, context.MaxTimestampMs);

        var eventTenant = fields.OptionalText("tenant_id");
        if (eventTenant is not null && eventTenant != tenantId)
            fields.Problem("tenant_id", $"Must equal the tenant of the path ('{tenantId}'), or be left out.");

        var eventType = fields.OptionalText("event_type");
        if (eventType == AuditVocabulary.AlertEventType)
            fields.Problem("event_type", $"'{eventType}' is written by Stoa's own alert rules when they fire; it cannot be sent.");
        else if (eventType == AuditVocabulary.RequestEventType)
            ParseRequest(fields, tenantId, batch);
        else if (eventType is not null && AuditVocabulary.SecurityEventTypes.Contains(eventType))
            ParseSecurity(fields, eventType, tenantId, batch);
        else if (eventType == AuditVocabulary.BusinessEventType || (eventType is null && fields.Has("action") && fields.Has("resource_type")))
            ParseBusiness(fields, element, tenantId, batch);
        else
            fields.Problem("event_type", eventType is null
                ? "Missing. Use 'api_request', one of the security types, or 'business_audit' (or send 'action' and 'resource_type' for a business event)."
                : $"Unknown type '{eventType}'. Use 'api_request', 'business_audit' or one of: {string.Join(", ", AuditVocabulary.SecurityEventTypes)}.");
    }

    private static void ParseRequest(FieldReader f, string tenantId, EventBatch batch)
    {
        var method = f.Text("method");
        if (method is not null && !AuditVocabulary.Methods.Contains(method))
            f.Problem("method", $"'{method}' is not one of {string.Join(", ", AuditVocabulary.Methods)}.");
        var path = f.Text("path");
        if (path is not null && (!path.StartsWith('/') || path.Contains('?')))
            f.Problem("path", "Must start with '/' and carry no query string.");

        var request = new RequestEvent
        {
            TenantId = tenantId,
            TimestampMs = f.Time("timestamp"),
            RequestId = f.Text("request_id") ?? "",
            ConsumerId = f.Identifier("consumer_id") ?? "",
            ConsumerName = f.Text("consumer_name") ?? "",
            ApiId = f.Identifier("api_id") ?? "",
            Method = method ?? "",
            Path = path ?? "",
            StatusCode = (int)f.Integer("status_code", 100, 599),
            LatencyMs = f.Integer("latency_ms", 0, MaxLatencyMs),
            RequestSizeBytes = f.Integer("request_size_bytes", 0, MaxSizeBytes),
            ResponseSizeBytes = f.Integer("response_size_bytes", 0, MaxSizeBytes),
            GatewayVersion = f.Text("gateway_version") ?? "",
            Datacenter = f.Text("datacenter") ?? "",
            KeyId = f.OptionalText("key_id"),
            SessionId = f.OptionalText("session_id"),
            UserId = f.OptionalText("user_id"),
            ClientIp = f.OptionalText("client_ip"),
            UserAgent = f.OptionalText("user_agent"),
            ErrorMessage = f.OptionalText("error_message"),
            RequestSummary = f.OptionalText("request_summary"),
        };
        batch.Events.Add(request);
    }

    private static void ParseSecurity(FieldReader f, string eventType, string tenantId, EventBatch batch)
    {
        var outcome = f.Text("outcome");
        if (outcome is not null && !AuditVocabulary.Outcomes.Contains(outcome))
            f.Problem("outcome", $"'{outcome}' is not one of {string.Join(", ", AuditVocabulary.Outcomes)}.");
        batch.Events.Add(new SecurityEvent
        {
            TenantId = tenantId,
            EventId = f.Text("event_id") ?? "",
            Type = eventType,
            TimestampMs = f.Time("timestamp"),
            Actor = f.Text("actor") ?? "",
            Target = f.Text("target") ?? "",
            Outcome = outcome ?? "",
            Details = f.OptionalObject("details"),
        });
    }

    private static void ParseBusiness(FieldReader f, JsonElement element, string tenantId, EventBatch batch)
    {
        var business = new BusinessEvent
        {
            TenantId = tenantId,
            EventId = f.OptionalText("event_id") ?? DeriveEventId(f, element),
            TimestampMs = f.Time("timestamp"),
            Action = f.Text("action") ?? "",
            ResourceType = f.Text("resource_type") ?? "",
            ResourceId = f.Text("resource_id") ?? "",
            ActorId = f.Text("actor_id") ?? "",
            Changes = f.OptionalObject("changes"),
            Metadata = f.OptionalObject("metadata"),
            RequestId = f.OptionalText("request_id"),
        };
        batch.Events.Add(business);
    }

    /// <summary>A stable key from the event's content, so that a resent event is stored once.</summary>
    private static string DeriveEventId(FieldReader f, JsonElement element)
    {
        if (!FieldReader.HasOnlyValidStrings(element))
        {
            f.Problem("event", "Holds a string that is not valid text (invalid UTF-8 or a lone surrogate).");
            return "";
        }
        var canonical = JsonSerializer.Serialize(element);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return "bae_" + Convert.ToHexStringLower(hash)[..32];
    }

    /// <summary>Reads one event's fields, recording a problem for each missing or malformed one.</summary>
    private sealed class FieldReader(JsonElement element, int index, List<IngestProblem> problems, long maxTimestampMs)
    {
        public bool Has(string name) => element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

        public void Problem(string field, string message) => problems.Add(new(index, field, message));

        public string? Text(string name)
        {
            var value = OptionalText(name);
            if (value is null && !Has(name)) Problem(name, "Required: a non-empty string.");
            return value;
        }

        public string? OptionalText(string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.String)
            {
                Problem(name, $"Must be a string, not {Describe(value.ValueKind)}.");
                return null;
            }
            if (!TryGetString(value, out var text))
            {
                Problem(name, "Not valid text: the string holds invalid UTF-8 or a lone surrogate (\\ud800-\\udfff without its pair).");
                return null;
            }
            if (text.Length == 0)
            {
                Problem(name, "Must not be empty; leave the field out instead.");
                return null;
            }
            if (text.Length > MaxTextLength)
            {
                Problem(name, $"Longer than {MaxTextLength} characters.");
                return null;
            }
            if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') is var at and >= 0 && text[at] is not ('\t' or '\n' or '\r'))
            {
                // A spreadsheet cannot hold them (XLSX drops them, CSV keeps them): refused, so every format says the same.
                Problem(name, $"Holds the control character U+{(int)text[at]:X4} at position {at}; only tab, line feed and carriage return are kept.");
                return null;
            }
            return text;
        }

        /// <summary>The string, or false when it cannot be text: invalid UTF-8, or an escaped lone surrogate.</summary>
        private static bool TryGetString(JsonElement value, out string text)
        {
            try
            {
                text = value.GetString()!;
            }
            catch (InvalidOperationException)
            {
                text = "";
                return false;
            }
            return IsWellFormed(text);
        }

        /// <summary>Every string inside, property names included, is valid text.</summary>
        public static bool HasOnlyValidStrings(JsonElement value)
        {
            try
            {
                return value.ValueKind switch
                {
                    JsonValueKind.Object => value.EnumerateObject().All(p => IsWellFormed(p.Name) && HasOnlyValidStrings(p.Value)),
                    JsonValueKind.Array => value.EnumerateArray().All(HasOnlyValidStrings),
                    JsonValueKind.String => TryGetString(value, out _),
                    _ => true,
                };
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        /// <summary>No lone surrogate: the string can be written as UTF-8.</summary>
        private static bool IsWellFormed(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
                else if (char.IsSurrogate(text[i])) return false;
            }
            return true;
        }

        public string? Identifier(string name)
        {
            var value = Text(name);
            if (value is not null && !Identifiers.IsValid(value))
            {
                Problem(name, $"'{Clip(value)}' is not a valid id: use {Identifiers.Rule}.");
                return null;
            }
            return value;
        }

        public long Integer(string name, long min, long max)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                Problem(name, "Required: an integer.");
                return 0;
            }
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            {
                Problem(name, $"Must be an integer, not {Describe(value.ValueKind)}.");
                return 0;
            }
            if (number < min || number > max)
            {
                Problem(name, $"Must be between {min} and {max:N0}.");
                return 0;
            }
            return number;
        }

        public long Time(string name)
        {
            var text = Text(name);
            if (text is null) return 0;
            if (!AuditTime.TryParse(text, out var ms))
            {
                Problem(name, $"'{Clip(text)}' is not an RFC 3339 time such as 2026-03-11T03:17:42.123Z.");
                return 0;
            }
            if (ms < MinTimestampMs || ms > maxTimestampMs)
            {
                Problem(name, $"'{Clip(text)}' is outside the times taken: from 2000-01-01T00:00:00Z to a day after now ({AuditTime.Print(maxTimestampMs)}).");
                return 0;
            }
            return ms;
        }

        public string? OptionalObject(string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.Object)
            {
                Problem(name, $"Must be a JSON object or null, not {Describe(value.ValueKind)}.");
                return null;
            }
            if (!HasOnlyValidStrings(value))
            {
                Problem(name, "Holds a string that is not valid text (invalid UTF-8 or a lone surrogate).");
                return null;
            }
            var json = JsonSerializer.Serialize(value); // minified, key order kept
            if (json.Length > MaxObjectLength)
            {
                Problem(name, $"Larger than {MaxObjectLength} characters; keep {name} to what an auditor needs.");
                return null;
            }
            return json;
        }

        private static string Clip(string text) => text.Length > 80 ? text[..80] + "…" : text;

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "null",
        };
    }
}
