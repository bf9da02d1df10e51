using Microsoft.AspNetCore.Mvc;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Forwarding;

namespace Stoa.Dashboard.Alerts;

/// <summary>
/// The alerts API, operators only: <c>GET /v1/audit/{t}/alerts</c> (the episodes, newest first) and
/// <c>GET …/alert-rules</c>; with a bearer token <c>POST …/alert-rules</c> (a form body or query),
/// <c>POST …/alert-rules/recommended</c> and <c>DELETE …/alert-rules/{id}</c>.
/// </summary>
public static class AlertEndpoints
{
    private static readonly Func<QueryReader, (TimeWindow Window, int Limit)> HistoryQuery = q => (q.Window(), (int)(q.Integer("limit", 1, 1_000) ?? 100));

    public static RouteGroupBuilder MapAlertReads(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/{tenant_id}/alerts", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, AlertRules rules, TimeProvider clock) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var q = new QueryReader(http.Request.Query, clock);
            var (window, limit) = HistoryQuery(q);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            var episodes = await rules.HistoryAsync(tenantId, window.FromMs ?? 0, window.ToMs ?? long.MaxValue, limit + 1, http.RequestAborted);
            return Results.Json(new { alerts = episodes.Take(limit).Select(Json), has_more = episodes.Count > limit });
        }).WithQuery(HistoryQuery);

        api.MapGet("/audit/{tenant_id}/alert-rules", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, AlertRules rules, TimeProvider clock) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var q = new QueryReader(http.Request.Query, clock);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            var (evaluatedSeq, lag) = await rules.ProgressAsync(tenantId, http.RequestAborted);
            return Results.Json(new
            {
                rules = (await rules.ListAsync(tenantId, http.RequestAborted)).Select(Json),
                evaluated_seq = evaluatedSeq,
                lag_events = lag,
                types = AlertRuleTypes.All.Select(t => new
                {
                    type = t.Name, title = t.Title, help = t.Help, counts_by = t.KeyName, threshold = t.Threshold, window_minutes = t.WindowMinutes,
                    min_events = t.IsRate ? t.MinEvents : (int?)null,
                }),
            });
        }).WithQuery(AuditEndpoints.NoQuery);
        return api;
    }

    /// <summary>A rule's fields, from the query or a form body; what is left out takes the type's default.</summary>
    private static readonly Func<QueryReader, AlertRuleRequest> RuleQuery = q => new AlertRuleRequest(q.Text("name", 100), q.OneOf("type", AlertRuleTypes.Names),
        q.Number("threshold", 0, 1_000_000), (int?)q.Integer("window_minutes", 1, AlertRuleTypes.MaxWindowMinutes), (int?)q.Integer("min_events", 1, 1_000_000),
        q.Text("event_types") is { } types ? types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null,
        q.Text("notify") is { } notify ? ReadIds(notify, q) : null);

    public static RouteGroupBuilder MapAlertChanges(this RouteGroupBuilder api)
    {
        api.MapPost("/audit/{tenant_id}/alert-rules", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, AlertRules rules,
            Destinations destinations, TimeProvider clock) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var fields = http.Request.HasFormContentType
                ? new QueryCollection((await http.Request.ReadFormAsync(http.RequestAborted)).ToDictionary(f => f.Key, f => f.Value))
                : http.Request.Query;
            var q = new QueryReader(fields, clock);
            var request = RuleQuery(q);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            var destinationIds = (await destinations.ListAsync(tenantId, http.RequestAborted)).Select(d => d.Destination.Id).ToList();
            if (AlertRules.Check(request, destinationIds) is { Count: > 0 } problems) return ApiProblems.InvalidQuery(problems);
            var rule = await rules.AddAsync(Caller.From(http.User).Name, tenantId, request, http.RequestAborted);
            return Results.Json(new { rule = Json(rule) }, statusCode: 201);
        }).WithQuery(RuleQuery);

        api.MapPost("/audit/{tenant_id}/alert-rules/recommended", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, AlertRules rules) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var added = await rules.AddRecommendedAsync(Caller.From(http.User).Name, tenantId, ct: http.RequestAborted);
            return Results.Json(new { rules = added.Select(Json) }, statusCode: 201);
        });

        api.MapDelete("/audit/{tenant_id}/alert-rules/{id:long}", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, long id,
            AlertRules rules) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            return await rules.DeleteAsync(Caller.From(http.User).Name, tenantId, id, http.RequestAborted)
                ? Results.NoContent()
                : Results.Problem(statusCode: 404, title: "Not found", detail: $"The tenant has no alert rule {id}.");
        });
        return api;
    }

    /// <summary>Comma-separated destination ids.</summary>
    private static List<long>? ReadIds(string text, QueryReader q)
    {
        var ids = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (long.TryParse(part, System.Globalization.NumberStyles.None, null, out var id)) ids.Add(id);
            else q.Problem("notify", $"'{part}' is not a destination id; give ids comma-separated, such as 1,3.");
        return ids;
    }

    public static object Json(Storage.AlertRule r) => new
    {
        id = r.Id,
        name = r.Name,
        type = r.Type,
        threshold = r.Threshold,
        window_minutes = r.WindowMinutes,
        min_events = r.MinEvents > 0 ? r.MinEvents : (int?)null,
        event_types = r.EventTypes?.Split(' '),
        notify = AlertRules.NotifyIds(r),
        created_by = r.CreatedBy,
        created_at = AuditTime.Print(r.CreatedAtMs),
    };

    public static object Json(AlertEpisode episode)
    {
        var a = episode.Alert;
        return new
        {
            id = a.Id,
            rule_id = a.RuleId,
            rule = a.RuleName,
            rule_type = a.RuleType,
            key = a.Key,
            summary = a.Summary,
            fired_at = AuditTime.Print(a.FiredAtMs),
            trigger_seq = a.TriggerSeq,
            last_at = AuditTime.Print(a.LastAtMs),
            last_seq = a.LastSeq,
            count = a.Count,
            ongoing = episode.Ongoing,
            event_id = AlertEvaluator.AlertEventId(a.RuleId, a.TriggerSeq),
        };
    }
}
