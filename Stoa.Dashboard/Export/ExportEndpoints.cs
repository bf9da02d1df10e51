using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Export;

public static class ExportEndpoints
{
    /// <summary>
    /// <c>GET /v1/audit/{tenant_id}/export/{format}?layer=…</c>: everything in the window, streamed
    /// oldest first (or <c>order=desc</c>), with the read endpoint's filters and no limit.
    /// <c>format=bundle</c> is a ZIP that proves itself (<see cref="BundleWriter"/>).
    /// </summary>
    /// <summary>What an export is asked for: its layer and that layer's filters, its order, archived days or not, an incident to put it on.</summary>
    private sealed record ExportQuery(string Layer, bool Ascending, bool WithArchive, RequestFilter? Requests, SecurityFilter? Security,
        BusinessFilter? Business, long? IncidentId, string? DownloadTicket);

    private const string DownloadTicket = "download_ticket";

    private static readonly Func<QueryReader, ExportQuery> Query = q =>
    {
        var layer = q.OneOf("layer", ["requests", "security", "business"]) ?? "requests";
        var ascending = q.OneOf("order", ["asc", "desc"]) != "desc"; // oldest first, as a file reads
        // Archived days come from the archive files when asked for (streamed oldest first; a bundle proves hot rows only).
        var withArchive = q.OneOf("archived", ["include", "exclude"]) == "include";
        // Each layer takes its own filters (another layer's is a 400); the document, reading an empty query, lists them all.
        return new ExportQuery(layer, ascending, withArchive,
            layer == "requests" || q.IsEmpty ? q.RequestFilter() : null,
            layer == "security" || q.IsEmpty ? q.SecurityFilter() : null,
            layer == "business" || q.IsEmpty ? q.BusinessFilter() : null,
            // An export made for an incident (an operator's, of that tenant) goes on the incident's timeline too.
            q.Integer("incident_id", 1, long.MaxValue),
            // The dashboard's own downloads: the page follows the download under this ticket (ExportDownloads).
            q.Text(DownloadTicket, 64));
    };

    public static RouteGroupBuilder MapExports(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/{tenant_id}/export/{format}", async (HttpContext http,
            [FromRoute(Name = "tenant_id")] string tenantId, string format, TimeProvider clock) =>
        {
            var (scope, denied) = await AuditEndpoints.AuthorizeReadAsync(http, tenantId);
            if (scope is null) return denied!;

            var q = new QueryReader(http.Request.Query, clock);
            var exportFormat = ExportFormats.Parse(format);
            if (exportFormat is null) q.Problem("format", $"'{format}' is not one of {string.Join(", ", ExportFormats.Names)}.");
            var (layer, ascending, withArchive, requests, security, business, incidentId, ticket) = Query(q);
            var download = http.RequestServices.GetRequiredService<ExportDownloads>().Claim(ticket, Caller.From(http.User).Name);
            if (withArchive && !ascending) q.Problem("archived", "Archived days are exported oldest first: leave out order=desc.");
            if (withArchive && exportFormat == ExportFormat.Bundle)
                q.Problem("archived", "A bundle proves the hot rows; each archive file has its own signed manifest (download them from the archive).");
            var archive = withArchive ? http.RequestServices.GetRequiredService<ArchiveDirectory>() : null;
            var store = http.RequestServices.GetRequiredService<IDbContextFactory<AuditDbContext>>();
            ArchiveRows? Archived(TimeWindow window) => archive is null ? null : new ArchiveRows(archive, store, scope.TenantId, layer, window);
            ExportJob? job = layer switch
            {
                "security" => Job(security!, f => f.Window, (IQueryable<SecurityEvent> rows, SecurityFilter f) => rows.Where(EventRules.Visible<SecurityEvent>(scope)).Filter(f), "events", Archived),
                "business" => Job(business!, f => f.Window, (IQueryable<BusinessEvent> rows, BusinessFilter f) => rows.Where(EventRules.Visible<BusinessEvent>(scope)).Filter(f), "events", Archived),
                _ => Job(requests!, f => f.Window, (IQueryable<RequestEvent> rows, RequestFilter f) => rows.Where(EventRules.Visible<RequestEvent>(scope)).Filter(f), "logs", Archived),
            };
            q.RejectUnknown();
            if (q.Problems.Count > 0)
            {
                download?.Finish(new DownloadEnd(400, string.Join(" ", q.Problems.Select(p => $"{p.Parameter}: {p.Message}"))));
                return ApiProblems.InvalidQuery(q.Problems);
            }
            if (incidentId is { } incident
                && (await http.RequestServices.GetRequiredService<Incidents>().GetAsync(Caller.From(http.User), incident))?.Incident.TenantId != scope.TenantId)
            {
                download?.Finish(new DownloadEnd(400, $"incident_id: the tenant has no incident {incidentId} that this caller works."));
                return ApiProblems.InvalidQuery([new QueryProblem("incident_id", $"The tenant has no incident {incidentId} that this caller works.")]);
            }
            // At most two exports a tenant at once: a third waits for one of them rather than starving the store.
            var slot = await http.RequestServices.GetRequiredService<ExportGate>().TryEnterAsync(scope.TenantId, http.RequestAborted);
            if (slot is null)
            {
                http.RequestServices.GetRequiredService<Operations.StoaMetrics>().ExportRejected();
                download?.Finish(new DownloadEnd(429, "Two exports of this tenant are already running.", ExportGate.RetryAfterSeconds));
                return ApiProblems.RetryLater(http, 429, ExportGate.RetryAfterSeconds, "Too many exports",
                    $"Two exports of this tenant are already running. Retry in {ExportGate.RetryAfterSeconds} seconds.");
            }
            http.Response.RegisterForDisposeAsync(slot); // released when the request ends, whatever happens to it
            if (!withArchive)
            {
                await using var db = await store.CreateDbContextAsync(http.RequestAborted);
                await ArchiveNotice.AddHeaderAsync(http, db, scope, layer, job.Window);
            }
            // What the export was asked for, as recorded and as a bundle claims it: the page's ticket is not part of it.
            var asked = new Microsoft.AspNetCore.Http.Extensions.QueryBuilder(http.Request.Query.Where(p => p.Key != DownloadTicket)).ToQueryString().Value ?? "";
            return new ExportResult(slot, scope, layer, exportFormat!.Value, ascending, job, asked, incidentId, download);
        }).WithQuery(Query).AnswersFiles(Enum.GetValues<ExportFormat>().Select(f => ExportFormats.ContentType(f).Split(';')[0]).ToArray());
        return api;
    }

    private static ExportJob Job<TFilter, TRow>(TFilter filter, Func<TFilter, TimeWindow> window,
        Func<IQueryable<TRow>, TFilter, IQueryable<TRow>> query, string arrayName, Func<TimeWindow, ArchiveRows?> archived)
        where TRow : AuditEvent, IEventKind =>
        new(window(filter), arrayName, ExportRows.Of<TRow>(rows => query(rows, filter), archived(window(filter))));

    /// <summary>A prepared export: its window and its rows, whatever the layer.</summary>
    private sealed record ExportJob(TimeWindow Window, string ArrayName, ExportRows Rows);

    private sealed class ExportResult(IAsyncDisposable slot, AuditScope scope, string layer, ExportFormat format, bool ascending,
        ExportJob job, string queryString, long? incidentId, ExportDownload? download) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            await using var _ = slot;
            using var activity = Operations.StoaMetrics.Activities.StartActivity("stoa.export");
            activity?.SetTag("stoa.layer", layer);
            activity?.SetTag("stoa.format", format.ToString().ToLowerInvariant());
            var services = http.RequestServices;
            var clock = services.GetRequiredService<TimeProvider>();
            var exportedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var fileName = FileName(scope.TenantId, layer, job.Window, exportedAt, format);

            http.Response.ContentType = ExportFormats.ContentType(format);
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";

            var factory = services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
            await using var db = await factory.CreateDbContextAsync(http.RequestAborted);
            var audit = services.GetRequiredService<ExportAudit>();
            var record = new ExportRecord(Caller.From(http.User), scope, layer, format, job.Window, queryString, fileName);
            try
            {
                await audit.StartedAsync(record); // before the first byte: a crash mid-export still leaves this
            }
            catch (Exception e) when (StoreHealth.Unwritable(e) is { } reason)
            {
                // Every export is recorded; one that cannot be is not made.
                download?.Finish(new DownloadEnd(503, reason));
                await ApiProblems.StoreUnwritable(http, reason).ExecuteAsync(http);
                return;
            }
            if (format != ExportFormat.Bundle) await SignChainAsync(services, scope.TenantId);
            var progress = download?.Progress ?? new ExportProgress();
            // Cancelled from the page: the connection is cut, so the browser keeps no file that looks whole.
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, download?.Cancelled ?? CancellationToken.None);
            var header = new ExportHeader(scope.TenantId, layer, scope.Consumers?.Order().ToList(), job.Window, exportedAt, job.ArrayName);
            ExportOutcome? outcome = null;
            try
            {
                outcome = format == ExportFormat.Bundle
                    ? await services.GetRequiredService<BundleWriter>().WriteAsync(http.Response.Body, db, header, job.Rows,
                        new BundleClaims(queryString.TrimStart('?'), Unfiltered(scope, http.Request.Query)), progress, cancel.Token)
                    : await ExportStreamer.WriteAsync(http.Response.Body, format, header, job.Rows.InTimeOrder(db, ascending, long.MaxValue),
                        ExportColumns.Of(job.Rows.Kind), progress, cancel.Token);
            }
            catch (OperationCanceledException) when (download?.Cancelled.IsCancellationRequested == true)
            {
                http.Abort();
            }
            finally
            {
                try
                {
                    await audit.EndedAsync(record, outcome, progress);
                    if (incidentId is { } incident)
                        await services.GetRequiredService<Incidents>().AddAsync(record.Caller, incident, "export",
                            outcome is null
                                ? $"Export {record.FileName} cut short after {progress.RowsSent:N0} rows."
                                : $"Exported {record.FileName}: {outcome.Rows:N0} rows, {outcome.Bytes:N0} bytes, SHA-256 {outcome.Sha256}.");
                }
                finally
                {
                    // Last, so that when the page says it ended, its record is written.
                    download?.Finish(outcome is null
                        ? new DownloadEnd(499, $"Stopped after {progress.RowsSent:N0} rows; the browser keeps no partial file.", Rows: progress.RowsSent, Bytes: progress.BytesSent)
                        : new DownloadEnd(200, fileName, Rows: outcome.Rows, Bytes: outcome.Bytes));
                }
            }
        }
    }

    /// <summary>
    /// Every export signs the tenant's chain as it stands (when it grew since the last checkpoint), so
    /// the rows of any export are covered by a checkpoint no later than the export itself. A bundle
    /// signs its own; for the other formats a failure here is logged, not the export's.
    /// </summary>
    private static async Task SignChainAsync(IServiceProvider services, string tenantId)
    {
        try
        {
            await services.GetRequiredService<Checkpoints>().SignAsync(tenantId);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or System.Security.Cryptography.CryptographicException)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(nameof(ExportEndpoints)).LogError(e, "Signing a checkpoint for an export of {Tenant} failed", tenantId);
        }
    }

    /// <summary>An operator's export of a whole layer and window: its bundle claims to hold every event of that window.</summary>
    private static bool Unfiltered(AuditScope scope, IQueryCollection query) =>
        !scope.IsConsumerLimited && query.Keys.All(k => k is "layer" or "from" or "to" or "hours" or "days" or "order" or "incident_id" or "archived" or DownloadTicket);

    /// <summary><c>stoa-audit_{tenant}_{layer}_{from}_{to}.{ext}</c>, times compact UTC; an open start reads <c>begin</c>.</summary>
    public static string FileName(string tenantId, string layer, TimeWindow window, long exportedAtMs, ExportFormat format)
    {
        static string Compact(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'");
        var from = window.FromMs is { } f ? Compact(f) : "begin";
        var to = Compact(window.ToMs ?? exportedAtMs);
        return $"stoa-audit_{tenantId}_{layer}_{from}_{to}.{ExportFormats.Extension(format)}";
    }
}
