using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Ingest;

namespace Stoa.Dashboard.Export;

/// <summary>What is exported: by whom, of which tenant and consumers, which layer, format and window.</summary>
public sealed record ExportRecord(Caller Caller, AuditScope Scope, string Layer, ExportFormat Format, TimeWindow Window, string QueryString,
    string FileName)
{
    public string Id { get; } = $"exp_{Guid.NewGuid():N}";
    public long StartedTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>
/// Records every export as <c>admin_action</c> security events of the tenant, twice: when it starts
/// (so an export cut off by a crash still leaves a record), and when it ends, with the rows and
/// bytes sent and the file's SHA-256, or, for one cut short, the rows and bytes that had left. Both
/// carry the same <c>export_id</c>; the log is append-only, so the first is never rewritten.
/// </summary>
public sealed class ExportAudit(AdminActions actions, Operations.StoaMetrics metrics, ILogger<ExportAudit> logger)
{
    public Task StartedAsync(ExportRecord export) =>
        actions.RecordAsync(export.Scope.TenantId, export.Caller.Name, $"export:{export.Layer}", Details(export, "started", null));

    public async Task EndedAsync(ExportRecord export, ExportOutcome? outcome, ExportProgress progress)
    {
        var details = Details(export, outcome is null ? "aborted" : "completed", outcome ?? new ExportOutcome(progress.RowsSent, progress.BytesSent, null));
        metrics.ExportEnded(export.Format.ToString().ToLowerInvariant(), outcome?.Rows ?? progress.RowsSent, outcome?.Bytes ?? progress.BytesSent,
            System.Diagnostics.Stopwatch.GetElapsedTime(export.StartedTimestamp), outcome is not null);
        await actions.RecordAsync(export.Scope.TenantId, export.Caller.Name, $"export:{export.Layer}", details, succeeded: outcome is not null);
        logger.LogInformation("Export {ExportId} by {Actor} of {Tenant}/{Layer} as {Format}: {Rows} rows, {Status}", export.Id,
            export.Caller.Name, export.Scope.TenantId, export.Layer, export.Format, outcome?.Rows ?? progress.RowsSent, outcome is null ? "aborted" : "completed");
    }

    private static object Details(ExportRecord export, string status, ExportOutcome? outcome) => new
    {
        action = status == "started" ? "export_started" : "export",
        export_id = export.Id,
        status,
        layer = export.Layer,
        format = export.Format.ToString().ToLowerInvariant(),
        from = export.Window.FromMs is { } f ? AuditTime.Print(f) : null,
        to = export.Window.ToMs is { } t ? AuditTime.Print(t) : null,
        query = export.QueryString,
        consumers = export.Scope.Consumers?.Order().ToArray(),
        rows = outcome?.Rows,
        bytes = outcome?.Bytes,
        sha256 = outcome?.Sha256,
        file_name = export.FileName,
    };
}
