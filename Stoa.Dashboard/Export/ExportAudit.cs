using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Export;

/// <summary>Records every export as an <c>admin_action</c> security event of the tenant: who, what, which window, how many rows.</summary>
public sealed class ExportAudit(AdminActions actions, ILogger<ExportAudit> logger)
{
    public async Task RecordAsync(Caller caller, AuditScope scope, string layer, ExportFormat format, TimeWindow window,
        string queryString, ExportOutcome? outcome, string fileName)
    {
        await actions.RecordAsync(scope.TenantId, caller.Name, $"export:{layer}", new
        {
            action = "export",
            layer,
            format = format.ToString().ToLowerInvariant(),
            from = window.FromMs is { } f ? AuditTime.Print(f) : null,
            to = window.ToMs is { } t ? AuditTime.Print(t) : null,
            query = queryString,
            consumers = scope.Consumers?.Order().ToArray(),
            rows = outcome?.Rows,
            bytes = outcome?.Bytes,
            sha256 = outcome?.Sha256,
            file_name = fileName,
        }, succeeded: outcome is not null);
        logger.LogInformation("Export by {Actor} of {Tenant}/{Layer} as {Format}: {Rows} rows", caller.Name, scope.TenantId,
            layer, format, outcome?.Rows);
    }
}
