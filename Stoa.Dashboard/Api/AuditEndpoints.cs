using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Api;

/// <summary>The read side of the contract: request log, security events, business events.</summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditReads(this RouteGroupBuilder api)
    {
        Func<QueryReader, (RequestFilter, PageRequest)> requests = q => (q.RequestFilter(), q.Page(100));
        api.MapGet("/audit/{tenant_id}", (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId) =>
            ReadPageAsync(http, tenantId, "requests", "logs", requests, (db, scope, f) => db.Requests(scope).Filter(f), EventJson.Write))
            .WithQuery(requests).Answers("RequestPage");

        Func<QueryReader, (SecurityFilter, PageRequest)> security = q => (q.SecurityFilter(), q.Page(1000));
        api.MapGet("/audit/{tenant_id}/security", (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId) =>
            ReadPageAsync(http, tenantId, "security", "events", security, (db, scope, f) => db.Security(scope).Filter(f), EventJson.Write))
            .WithQuery(security).Answers("SecurityPage");

        Func<QueryReader, (BusinessFilter, PageRequest)> business = q => (q.BusinessFilter(), q.Page(1000));
        api.MapGet("/audit/{tenant_id}/business", (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId) =>
            ReadPageAsync(http, tenantId, "business", "events", business, (db, scope, f) => db.Business(scope).Filter(f), EventJson.Write))
            .WithQuery(business).Answers("BusinessPage");

        api.MapGet("/audit/{tenant_id}/events/{seq}", ReadOneAsync).WithQuery(NoQuery).Answers("Event");
        api.MapGet("/audit/{tenant_id}/investigate", InvestigateAsync).WithQuery(InvestigateQuery);

        return api;
    }

    /// <summary>
    /// The shape every read shares: check the tenant id, authorise, read the parameters (all problems
    /// at once), run one keyset page, and write <c>{"logs"|"events": [...], "count", "next_cursor"}</c>;
    /// a window reaching into archived days gets the <c>Stoa-Archived-Days</c> header.
    /// </summary>
    private static async Task<IResult> ReadPageAsync<TFilter, TRow>(HttpContext http, string tenantId, string layer, string arrayName,
        Func<QueryReader, (TFilter Filter, PageRequest Page)> read,
        Func<AuditDbContext, AuditScope, TFilter, IQueryable<TRow>> query, Action<Utf8JsonWriter, TRow> write)
        where TRow : AuditEvent
    {
        var (scope, denied) = await AuthorizeReadAsync(http, tenantId);
        if (scope is null) return denied!;

        var q = new QueryReader(http.Request.Query, http.RequestServices.GetRequiredService<TimeProvider>());
        var (filter, page) = read(q);
        q.RejectUnknown();
        if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);

        var factory = http.RequestServices.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync(http.RequestAborted);
        var result = await query(db, scope, filter).PageAsync(page, http.RequestAborted);
        var window = filter switch { RequestFilter r => r.Window, SecurityFilter s => s.Window, BusinessFilter b => b.Window, _ => TimeWindow.All };
        await ArchiveNotice.AddHeaderAsync(http, db, scope, layer, window);

        return new JsonBody(async (w, ct) =>
        {
            w.WriteStartObject();
            w.WriteStartArray(arrayName);
            foreach (var row in result.Items)
            {
                write(w, row);
                await JsonBody.SendIfFullAsync(w, ct);
            }
            w.WriteEndArray();
            w.WriteNumber("count", result.Items.Count);
            w.WriteString("next_cursor", result.NextCursor);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// <c>GET /v1/audit/{tenant_id}/events/{seq}</c>: the one event with that arrival number, of
    /// any kind. An event the caller may not see is answered exactly like one that does not exist:
    /// 403 for a client (so it cannot learn which numbers are other consumers'), 404 for an operator.
    /// </summary>
    private static async Task<IResult> ReadOneAsync(HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, string seq)
    {
        var (scope, denied) = await AuthorizeReadAsync(http, tenantId);
        if (scope is null) return denied!;
        var q = new QueryReader(http.Request.Query, http.RequestServices.GetRequiredService<TimeProvider>());
        if (!long.TryParse(seq, System.Globalization.NumberStyles.None, null, out var number) || number < 1)
            q.Problem("seq", $"'{seq}' is not an event number: use the 'seq' of an event (1, 2, 3, …).");
        q.RejectUnknown();
        if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);

        var factory = http.RequestServices.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync(http.RequestAborted);
        var found = await db.EventAsync(scope, number, http.RequestAborted);
        if (found is null)
            return scope.IsConsumerLimited ? ApiProblems.EventForbidden() : ApiProblems.EventNotFound(number);
        return new JsonBody(w => EventJson.Write(w, found));
    }

    /// <summary>
    /// <c>GET /v1/audit/{tenant_id}/investigate?hours=24&amp;consumer_id=C</c>: the four sections of
    /// <c>investigate.sh</c> (<see cref="Investigation"/>), counted in the store over the whole window
    /// (the last 24 hours unless <c>from</c>/<c>to</c>/<c>hours</c>/<c>days</c> say otherwise).
    /// </summary>
    private static readonly Func<QueryReader, (TimeWindow Window, string? ConsumerId)> InvestigateQuery = q => (q.Window(), q.Identifier("consumer_id"));

    /// <summary>An endpoint that takes no query parameter (any is a 400).</summary>
    public static readonly Func<QueryReader, bool> NoQuery = _ => true;

    private static async Task<IResult> InvestigateAsync(HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId)
    {
        var (scope, denied) = await AuthorizeReadAsync(http, tenantId);
        if (scope is null) return denied!;
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var q = new QueryReader(http.Request.Query, clock);
        var (window, consumerId) = InvestigateQuery(q);
        q.RejectUnknown();
        if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);

        var to = window.ToMs ?? clock.GetUtcNow().ToUnixTimeMilliseconds();
        var factory = http.RequestServices.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await factory.CreateDbContextAsync(http.RequestAborted);
        var threshold = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.StoaOptions>>().Value.Dashboard.TroubleThreshold;
        var investigation = await Investigation.RunAsync(db, scope, new TimeWindow(window.FromMs ?? to - AuditTime.DayMs, to), consumerId,
            threshold, http.RequestAborted);
        return new JsonBody(investigation.Write);
    }

    /// <summary>Null when the caller is an operator of the tenant; else the 400/403 to answer (a client learns nothing more).</summary>
    public static async Task<IResult?> AuthorizeOperatorAsync(HttpContext http, string tenantId)
    {
        var (scope, denied) = await AuthorizeReadAsync(http, tenantId);
        if (scope is null) return denied;
        return scope.IsConsumerLimited || !Caller.From(http.User).IsOperatorOf(tenantId) ? ApiProblems.OperatorsOnly() : null;
    }

    /// <summary>The caller's scope of a tenant, or the 400/403 answer to give instead.</summary>
    public static async Task<(AuditScope? Scope, IResult? Denied)> AuthorizeReadAsync(HttpContext http, string tenantId)
    {
        if (!Identifiers.IsValid(tenantId)) return (null, ApiProblems.InvalidTenantId());
        var access = http.RequestServices.GetRequiredService<TenantAccess>();
        var scope = await access.ReadScopeAsync(http.User, tenantId, http.RequestAborted);
        return scope is null ? (null, ApiProblems.TenantForbidden()) : (scope, null);
    }
}
