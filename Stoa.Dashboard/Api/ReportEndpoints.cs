using Microsoft.AspNetCore.Mvc;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Api;

/// <summary>The reports people keep: an incident's, and a week's review.</summary>
public static class ReportEndpoints
{
    /// <summary>
    /// <c>GET /v1/audit/{tenant_id}/incidents/{id}/report.xlsx</c> and <c>.html</c> (printable):
    /// operators of the tenant; each download is on the incident's timeline and an <c>admin_action</c>.
    /// <c>GET /v1/audit/{tenant_id}/review/{monday}.xlsx</c>: the weekly review, scoped like every read.
    /// </summary>
    public static RouteGroupBuilder MapReports(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/{tenant_id}/review/{week}.xlsx", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId, string week,
            IDbContextFactory<AuditDbContext> factory, IOptions<StoaOptions> options) =>
        {
            var (scope, denied) = await AuditEndpoints.AuthorizeReadAsync(http, tenantId);
            if (scope is null) return denied!;
            if (!DateOnly.TryParseExact(week, "yyyy-MM-dd", out var day))
                return ApiProblems.InvalidQuery([new QueryProblem("week", $"'{week}' is not a date: give the week's Monday as 2026-03-02.")]);
            var start = WeeklyReview.WeekStart(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds());
            await using var db = await factory.CreateDbContextAsync(http.RequestAborted);
            var review = await WeeklyReview.LoadAsync(db, scope, start, options.Value.Dashboard, http.RequestAborted);
            return new StreamedResult($"stoa-review_{tenantId}_{DateTimeOffset.FromUnixTimeMilliseconds(start):yyyy-MM-dd}.xlsx",
                ExportFormats.ContentType(ExportFormat.Xlsx), (body, ct) => ReviewReport.WriteXlsxAsync(body, review, ct));
        });

        api.MapGet("/audit/{tenant_id}/incidents/{id:long}/report.{format}", async (HttpContext http,
            [FromRoute(Name = "tenant_id")] string tenantId, long id, string format, Incidents incidents, TimeProvider clock) =>
        {
            var (scope, denied) = await AuditEndpoints.AuthorizeReadAsync(http, tenantId);
            if (scope is null) return denied!;
            if (scope.IsConsumerLimited) return ApiProblems.OperatorsOnly();
            if (format is not ("xlsx" or "html"))
                return ApiProblems.InvalidQuery([new QueryProblem("format", $"'{format}' is not a report format: xlsx or html.")]);
            var caller = Caller.From(http.User);
            if (await incidents.GetAsync(caller, id, http.RequestAborted) is not { } file || file.Incident.TenantId != tenantId)
                return Results.Problem(statusCode: 404, title: "No such incident", detail: $"The tenant has no incident {id}.");

            await incidents.AddAsync(caller, id, "export", $"Report downloaded ({format}).");
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (format == "html") return Results.Content(IncidentReport.Html(file, now), "text/html; charset=utf-8");
            return new StreamedResult($"stoa-incident-{id}.xlsx", ExportFormats.ContentType(ExportFormat.Xlsx),
                (body, ct) => IncidentReport.WriteXlsxAsync(body, file, now, ct));
        });
        return api;
    }

    private sealed class StreamedResult(string fileName, string contentType, Func<Stream, CancellationToken, Task> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = contentType;
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await write(http.Response.Body, http.RequestAborted);
        }
    }
}
