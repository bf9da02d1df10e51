using Microsoft.AspNetCore.Mvc;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;

namespace Stoa.Dashboard.Forwarding;

/// <summary>
/// The destinations API, operators only: <c>GET /v1/audit/{t}/destinations</c> (state, lag, last
/// delivery, last error), and with a bearer token <c>POST …/destinations</c> (a form body: a SASL
/// password never travels in a URL that a log keeps), <c>DELETE …/destinations/{id}</c>,
/// <c>POST …/{id}/rotate-secret</c> and <c>POST …/{id}/test</c>.
/// </summary>
public static class DestinationEndpoints
{
    public static RouteGroupBuilder MapDestinationReads(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/{tenant_id}/destinations", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, Destinations destinations) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var q = new QueryReader(http.Request.Query, TimeProvider.System);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            return Results.Json(new { destinations = (await destinations.ListAsync(tenantId, http.RequestAborted)).Select(Json) });
        }).WithQuery(AuditEndpoints.NoQuery);
        return api;
    }

    /// <summary>A destination's fields, from a form body: a SASL password never travels in a URL that a log keeps.</summary>
    private static readonly Func<QueryReader, DestinationRequest> AddForm = q => new DestinationRequest(q.Text("name", 100), q.OneOf("kind", Destinations.KindNames),
        q.Text("target", 2048), q.Text("topic", 249), q.OneOf("format", ["json", "cef", "slack"]), q.Text("ca_file", 1024), q.Text("sasl_username", 256),
        q.Text("sasl_password", 1024), q.ListOf("kinds", Destinations.EventKinds),
        q.Text("event_types") is { } types ? types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null,
        q.OneOf("backfill", ["true", "false"]) == "true");

    public static RouteGroupBuilder MapDestinationChanges(this RouteGroupBuilder api)
    {
        api.MapPost("/audit/{tenant_id}/destinations", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            Destinations destinations, TimeProvider clock) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : FormCollection.Empty;
            var q = new QueryReader(new QueryCollection(form.ToDictionary(f => f.Key, f => f.Value)), clock);
            var request = AddForm(q);
            q.RejectUnknown();
            var problems = q.Problems.Concat(q.Problems.Count == 0 ? Destinations.Check(request) : []).ToList();
            if (problems.Count > 0) return ApiProblems.InvalidQuery(problems);
            var (destination, secret) = await destinations.AddAsync(Caller.From(http.User), tenantId, request, http.RequestAborted);
            return Results.Json(new { destination = Json(new DestinationStatus(destination, 0, null)), secret }, statusCode: 201);
        }).WithForm(AddForm, new Dictionary<string, string>
        {
            ["target"] = "Where it sends: the webhook's URL, syslog's host:port, Kafka's bootstrap servers.",
            ["format"] = "json; cef for syslog; slack (a Slack-compatible incoming webhook) for a webhook.",
        });

        api.MapDelete("/audit/{tenant_id}/destinations/{id:long}", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, long id,
            Destinations destinations) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            return await destinations.DeleteAsync(Caller.From(http.User), tenantId, id, http.RequestAborted) ? Results.NoContent() : NotFound(id);
        });

        api.MapPost("/audit/{tenant_id}/destinations/{id:long}/rotate-secret", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            long id, Destinations destinations) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            return await destinations.RotateSecretAsync(Caller.From(http.User), tenantId, id, http.RequestAborted) is { } secret
                ? Results.Json(new { secret })
                : NotFound(id, "webhook ");
        });

        api.MapPost("/audit/{tenant_id}/destinations/{id:long}/test", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            long id, Destinations destinations) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            return await destinations.SendTestAsync(Caller.From(http.User), tenantId, id, http.RequestAborted) is { } problem
                ? Results.Problem(statusCode: 502, title: "The test event was not delivered", detail: problem)
                : Results.Json(new { delivered = true });
        });
        return api;
    }

    public static object Json(DestinationStatus s)
    {
        var d = s.Destination;
        return new
        {
            id = d.Id,
            name = d.Name,
            kind = d.Kind,
            target = d.Target,
            topic = d.Topic,
            format = d.Format,
            kinds = d.Kinds?.Split(' '),
            event_types = d.EventTypes?.Split(' '),
            state = s.State,
            delivered_seq = d.DeliveredSeq,
            delivered_at = d.DeliveredAtMs is { } at ? AuditTime.Print(at) : null,
            delivered_count = d.DeliveredCount,
            lag_events = s.LagEvents,
            lag_seconds = s.LagSeconds,
            failures = d.Failures,
            failing_since = d.FailingSinceMs is { } since ? AuditTime.Print(since) : null,
            last_error = d.LastError,
            last_error_at = d.LastErrorAtMs is { } errorAt ? AuditTime.Print(errorAt) : null,
            created_by = d.CreatedBy,
            created_at = AuditTime.Print(d.CreatedAtMs),
        };
    }

    private static IResult NotFound(long id, string what = "") =>
        Results.Problem(statusCode: 404, title: "Not found", detail: $"The tenant has no {what}destination {id}.");
}
