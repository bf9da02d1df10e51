using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>
/// The retention API, operators only (a client sees none of it, not even counts):
/// <c>GET /v1/audit/{t}/retention</c> (policy, holds, oldest hot event, archive and deletion records),
/// <c>GET /v1/audit/{t}/archive/{id}</c> (a file, or <c>/manifest.json</c>, <c>/manifest.json.sig</c>), and,
/// with a bearer token only, <c>PUT …/retention?policy=</c>, <c>POST …/holds?reason=&amp;from=&amp;to=</c>,
/// <c>DELETE …/holds/{id}</c> and <c>POST …/retention/run</c>.
/// </summary>
public static class RetentionEndpoints
{
    public static RouteGroupBuilder MapRetentionReads(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/{tenant_id}/retention", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            RetentionOverview overview) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var q = new QueryReader(http.Request.Query, TimeProvider.System);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            var view = await overview.ReadAsync(tenantId, http.RequestAborted);
            return Results.Json(view.ToJson());
        }).WithQuery(AuditEndpoints.NoQuery);

        api.MapGet("/audit/{tenant_id}/archive/{id:long}/{part?}", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            long id, string? part, IDbContextFactory<AuditDbContext> store, ArchiveDirectory archive) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            await using var db = await store.CreateDbContextAsync(http.RequestAborted);
            var file = await db.ArchiveFiles.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id && a.TenantId == tenantId, http.RequestAborted);
            if (file is null) return NotFound($"The tenant has no archive file {id}.");
            var path = archive.PathOf(file);
            var name = Path.GetFileName(file.Path);
            return part switch
            {
                null when file.PurgedAtMs is { } purged => Results.Problem(statusCode: 410, title: "Purged",
                    detail: $"{file.Path} was purged on {AuditTime.Print(purged)} under the tenant's retention policy; its manifest is kept."),
                null => Results.File(path, "application/gzip", name),
                "manifest.json" => Results.File(ArchiveManifest.PathOf(path), "application/json", name + ".manifest.json"),
                "manifest.json.sig" => Results.File(ArchiveManifest.SignaturePathOf(path), "application/octet-stream", name + ".manifest.json.sig"),
                _ => NotFound("Ask for the file itself, /manifest.json or /manifest.json.sig."),
            };
        });
        return api;
    }

    private static readonly Func<QueryReader, (RetentionPolicy? Policy, string? Problem)> PolicyQuery = q => RetentionPolicy.Parse(q.Text("policy", 32));
    private static readonly Func<QueryReader, (string? Reason, TimeWindow Window)> HoldQuery = q => (q.Text("reason", 500), q.Window());

    public static RouteGroupBuilder MapRetentionChanges(this RouteGroupBuilder api)
    {
        api.MapPut("/audit/{tenant_id}/retention", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            RetentionSettings settings, RetentionOverview overview, TimeProvider clock) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var q = new QueryReader(http.Request.Query, clock);
            var (policy, problem) = PolicyQuery(q);
            if (problem is not null) q.Problem("policy", problem);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            await settings.SetPolicyAsync(Caller.From(http.User), tenantId, policy!, http.RequestAborted);
            return Results.Json((await overview.ReadAsync(tenantId, http.RequestAborted)).ToJson());
        }).WithQuery(PolicyQuery);

        api.MapPost("/audit/{tenant_id}/holds", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            RetentionSettings settings, TimeProvider clock) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var q = new QueryReader(http.Request.Query, clock);
            var (reason, window) = HoldQuery(q);
            if (string.IsNullOrWhiteSpace(reason)) q.Problem("reason", "Say why the data is held (a matter, a request, a regulator).");
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);
            var hold = await settings.PlaceHoldAsync(Caller.From(http.User), tenantId, window, reason!, http.RequestAborted);
            return Results.Json(RetentionOverview.HoldJson(hold), statusCode: 201);
        }).WithQuery(HoldQuery);

        api.MapDelete("/audit/{tenant_id}/holds/{id:long}", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, long id,
            RetentionSettings settings) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            return await settings.ReleaseHoldAsync(Caller.From(http.User), tenantId, id, http.RequestAborted)
                ? Results.NoContent()
                : NotFound($"The tenant has no hold {id} in force.");
        });

        api.MapPost("/audit/{tenant_id}/retention/run", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            RetentionService retention) =>
        {
            if (await AuditEndpoints.AuthorizeOperatorAsync(http, tenantId) is { } denied) return denied;
            var runs = await retention.RunOnceAsync(tenantId, http.RequestAborted);
            if (runs is null)
                return ApiProblems.RetryLater(http, 409, 60, "Retention is running", "A retention run is under way (here or on another instance); try again when it ends.");
            return Results.Json(RetentionOverview.RunJson(runs[0]));
        });
        return api;
    }

    private static IResult NotFound(string detail) => Results.Problem(statusCode: 404, title: "Not found", detail: detail);
}
