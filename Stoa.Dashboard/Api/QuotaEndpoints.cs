using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Api;

public static class QuotaEndpoints
{

    /// <summary>
    /// <c>GET /v1/quotas/{tenant_id}/stats</c>. <c>days=N</c> (default 30) means the last N calendar
    /// days in UTC, today included, so every row is a whole day but the last. <c>from</c>/<c>to</c>
    /// or <c>hours</c> give any other window.
    /// </summary>
    private static readonly Func<QueryReader, (TimeWindow Window, string? ConsumerId)> StatsQuery = q => (q.Window(), q.Identifier("consumer_id"));

    public static RouteGroupBuilder MapQuotas(this RouteGroupBuilder api)
    {
        api.MapGet("/quotas/{tenant_id}/stats", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            TimeProvider clock, IDbContextFactory<AuditDbContext> factory) =>
        {
            var (scope, denied) = await AuditEndpoints.AuthorizeReadAsync(http, tenantId);
            if (scope is null) return denied!;

            var q = new QueryReader(http.Request.Query, clock);
            var (window, consumerId) = StatsQuery(q);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var today = now / AuditTime.DayMs * AuditTime.DayMs;
            var days = http.Request.Query.ContainsKey("days") ? long.Parse(http.Request.Query["days"]!) : 30;
            var from = http.Request.Query.ContainsKey("days") || window.FromMs is null
                ? today - (days - 1) * AuditTime.DayMs
                : window.FromMs.Value;
            var to = window.ToMs ?? now;

            await using var db = await factory.CreateDbContextAsync(http.RequestAborted);
            var stats = await db.DailyAsync(scope, from, to, consumerId, http.RequestAborted);

            return new JsonBody(async (w, ct) =>
            {
                w.WriteStartObject();
                w.WriteString("tenant_id", tenantId);
                w.WriteString("from", AuditTime.Print(from));
                w.WriteString("to", AuditTime.Print(to));
                w.WriteNumber("total_requests", stats.TotalRequests);
                w.WriteStartArray("daily");
                foreach (var d in stats.Daily)
                {
                    w.WriteStartObject();
                    w.WriteString("date", d.Date);
                    w.WriteNumber("requests", d.Requests);
                    w.WriteNumber("errors", d.Errors);
                    w.WriteNumber("rate_limited", d.RateLimited);
                    w.WriteNumber("bytes_in", d.BytesIn);
                    w.WriteNumber("bytes_out", d.BytesOut);
                    w.WriteEndObject();
                    await JsonBody.SendIfFullAsync(w, ct);
                }
                w.WriteEndArray();
                w.WriteStartArray("top_consumers");
                foreach (var c in stats.TopConsumers)
                {
                    w.WriteStartObject();
                    w.WriteString("consumer_id", c.ConsumerId);
                    w.WriteString("consumer_name", c.ConsumerName);
                    w.WriteNumber("requests", c.Requests);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }).WithQuery(StatsQuery).Answers("QuotaStats");
        return api;
    }
}
