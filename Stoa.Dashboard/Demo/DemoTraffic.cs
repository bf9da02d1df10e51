using System.Text.Json;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Demo;

/// <summary>Builds one tenant's events: everyday traffic, plus whatever incidents are added to it.</summary>
public sealed class DemoTraffic(DemoTenant tenant, DateTimeOffset now, int seed)
{
    private readonly Random _random = new(seed);
    private readonly List<AuditEvent> _events = [];
    private int _sequence;

    public DemoTenant Tenant => tenant;
    public DateTimeOffset Now => now;
    public Random Random => _random;

    public DemoConsumer Consumer(string id) => tenant.Consumers.Single(c => c.Id == id);

    public RequestEvent Request(long ts, DemoConsumer consumer, string apiId, string method, string path, int status,
        string? error = null, string? summary = null, string? keyId = null, string? clientIp = null)
    {
        var request = new RequestEvent
        {
            TenantId = tenant.Id,
            // Time-ordered ids: the unique index stays append-mostly, as with real gateway ids.
            RequestId = $"req_{ts:x11}{++_sequence:x6}",
            TimestampMs = ts,
            ConsumerId = consumer.Id,
            ConsumerName = consumer.Name,
            ApiId = apiId,
            Method = method,
            Path = path,
            StatusCode = status,
            LatencyMs = Latency(status),
            RequestSizeBytes = method is "GET" or "HEAD" or "OPTIONS" or "DELETE" ? 0 : _random.Next(180, 6_000),
            ResponseSizeBytes = status == 204 || method == "HEAD" ? 0 : _random.Next(90, status < 300 ? 48_000 : 600),
            GatewayVersion = "stoa-gw/2.14.3",
            Datacenter = _random.NextDouble() < 0.7 ? "eu-west-1" : "eu-central-1",
            KeyId = keyId ?? consumer.KeyId,
            SessionId = consumer.Id.StartsWith("cons_mobile") || consumer.Id.EndsWith("_web") ? $"sess_{_random.Next(1000, 9999)}" : null,
            UserId = consumer.Id.Contains("portal") || consumer.Id.StartsWith("cons_mobile") ? $"user_{_random.Next(1, 400)}" : null,
            ClientIp = clientIp ?? $"198.51.100.{Math.Abs(consumer.Id.GetHashCode(StringComparison.Ordinal)) % 250 + 1}",
            UserAgent = consumer.Id.StartsWith("cons_mobile") ? "StoaMobile/5.2 (iOS 19)" : $"{consumer.Name}/1.0",
            ErrorMessage = error,
            RequestSummary = summary,
        };
        _events.Add(request);
        return request;
    }

    public void Security(long ts, string type, string actor, string target, string outcome, object? details = null) =>
        _events.Add(new SecurityEvent
        {
            TenantId = tenant.Id,
            EventId = $"sec_{ts:x11}{++_sequence:x6}",
            Type = type,
            TimestampMs = ts,
            Actor = actor,
            Target = target,
            Outcome = outcome,
            Details = details is null ? null : JsonSerializer.Serialize(details),
        });

    public void Business(long ts, string action, string resourceType, string resourceId, string actorId, object? changes,
        string? requestId, object? metadata = null) =>
        _events.Add(new BusinessEvent
        {
            TenantId = tenant.Id,
            EventId = $"bae_{ts:x11}{++_sequence:x6}",
            TimestampMs = ts,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            ActorId = actorId,
            Changes = changes is null ? null : JsonSerializer.Serialize(changes),
            Metadata = metadata is null ? null : JsonSerializer.Serialize(metadata),
            RequestId = requestId,
        });

    /// <summary>Ordinary traffic: a daily curve, quieter weekends, a realistic status mix, and the audit trail it leaves.</summary>
    public void Everyday(int days)
    {
        var end = now.ToUnixTimeMilliseconds();
        var totalWeight = tenant.Consumers.Sum(c => c.Weight);
        for (var hourStart = end - days * 24 * AuditTime.HourMs; hourStart < end; hourStart += AuditTime.HourMs)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(hourStart);
            var daily = 0.35 + 0.65 * Math.Max(0, Math.Sin((time.Hour - 5) / 24.0 * 2 * Math.PI));
            var weekend = time.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.45 : 1.0;
            var count = (int)(tenant.RequestsPerHour * daily * weekend * (0.85 + 0.3 * _random.NextDouble()));
            for (var i = 0; i < count; i++)
            {
                var ts = hourStart + _random.NextInt64(AuditTime.HourMs);
                if (ts >= end) continue;
                Ordinary(ts, PickConsumer(totalWeight));
            }
        }
    }

    private void Ordinary(long ts, DemoConsumer consumer)
    {
        var api = tenant.Apis[_random.Next(tenant.Apis.Length)];
        var template = api.Paths[_random.Next(api.Paths.Length)];
        var id = _random.Next(1000, 99_999).ToString();
        var path = template.Replace("{id}", id);
        var method = PickMethod(template.Contains("{id}"));
        var status = PickStatus(method);
        string? error = status switch
        {
            400 => "validation failed",
            401 => "invalid or expired API key",
            403 => "scope 'write' required",
            404 => "not found",
            409 => "version conflict",
            429 => "rate limit exceeded",
            >= 500 => "upstream error",
            _ => null,
        };
        var request = Request(ts, consumer, api.Id, method, path, status, error);

        if (status == 429)
            Security(ts, "rate_limit_exceeded", consumer.Id, "policy:rate-limit-600rpm", "blocked", new { limit = 600, window = "1m" });
        else if (status == 401 && _random.NextDouble() < 0.5)
            Security(ts, "auth_failed", request.ClientIp!, consumer.KeyId, "failure", new { reason = "expired_key" });

        if (status < 300 && method is "POST" or "PUT" or "PATCH" or "DELETE" && _random.NextDouble() < 0.6)
        {
            var resource = template.Split('/')[2].TrimEnd('s');
            var resourceId = template.Contains("{id}") ? id : _random.Next(100_000, 999_999).ToString();
            object? changes = method switch
            {
                "POST" => new Dictionary<string, object?> { ["status"] = new { before = (string?)null, after = "active" } },
                "DELETE" => new Dictionary<string, object?> { ["status"] = new { before = "active", after = "deleted" } },
                _ => new Dictionary<string, object?> { ["updated_by"] = new { before = "system", after = consumer.Id }, ["revision"] = new { before = 3, after = 4 } },
            };
            var action = method switch { "POST" => "created", "DELETE" => "deleted", _ => "updated" };
            Business(ts + _random.Next(5, 80), action, resource, resourceId, consumer.Id, changes, request.RequestId);
        }
    }

    private DemoConsumer PickConsumer(double totalWeight)
    {
        var pick = _random.NextDouble() * totalWeight;
        foreach (var consumer in tenant.Consumers)
        {
            pick -= consumer.Weight;
            if (pick <= 0) return consumer;
        }
        return tenant.Consumers[^1];
    }

    private string PickMethod(bool item)
    {
        var p = _random.NextDouble();
        if (!item) return p < 0.75 ? "GET" : p < 0.97 ? "POST" : p < 0.99 ? "HEAD" : "OPTIONS";
        return p < 0.70 ? "GET" : p < 0.85 ? "PUT" : p < 0.93 ? "PATCH" : "DELETE";
    }

    private int PickStatus(string method)
    {
        var p = _random.NextDouble();
        if (p < 0.012) return 404;
        if (p < 0.020) return 400;
        if (p < 0.025) return 401;
        if (p < 0.028) return 403;
        if (p < 0.031) return 429;
        if (p < 0.033) return 409;
        if (p < 0.036) return 500;
        return method switch { "POST" => 201, "DELETE" => 204, _ => 200 };
    }

    private long Latency(int status)
    {
        var baseline = status >= 500 ? 900 : status == 429 ? 2 : 35;
        return (long)(baseline * Math.Exp(_random.NextDouble() * 1.6)) + _random.Next(0, 8);
    }

    /// <summary>The events in time order, cut into batches for the writer: the demo's seq follows time.</summary>
    public IEnumerable<EventBatch> Batches(int size)
    {
        var ordered = _events.OrderBy(e => e.TimestampMs).ThenBy(e => e.Kind).ToList();
        for (var i = 0; i < ordered.Count; i += size)
            yield return EventBatch.Of(ordered.Skip(i).Take(size));
    }
}
