using Microsoft.AspNetCore.Mvc;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Api;

public static class IncidentEndpoints
{
    /// <summary>
    /// <c>GET /v1/audit/{tenant_id}/incidents/{id}/report.xlsx</c> and <c>.html</c> (printable):
    /// operators of the tenant; each download is on the incident's timeline and an <c>admin_action</c>.
    /// </summary>
    public static RouteGroupBuilder MapIncidentReports(this RouteGroupBuilder api)
    {
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
