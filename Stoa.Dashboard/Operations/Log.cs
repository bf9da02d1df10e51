namespace Stoa.Dashboard.Operations;

/// <summary>
/// The log lines of the hot paths (ingest, the live feed and hub, forwarding, alert rules), made by
/// the <c>LoggerMessage</c> source generator: no boxing, no formatting unless the level is on. None
/// carries a token, a secret or an event's content: ids, counts and reasons only.
/// </summary>
public static partial class Log
{
    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} events for {Tenant} was not stored")]
    public static partial void BatchNotStored(this ILogger logger, Exception e, int count, string tenant);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing a committed batch of {Tenant} failed")]
    public static partial void PublishFailed(this ILogger logger, Exception e, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live subscriber of {Tenant} failed")]
    public static partial void SubscriberFailed(this ILogger logger, Exception e, string tenant);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not send to hub connection {ConnectionId}")]
    public static partial void HubSendFailed(this ILogger logger, Exception e, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to destination {Id} ({Name}) failed: {Error}")]
    public static partial void ForwardingFailed(this ILogger logger, long id, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Rule} fired for {Tenant}: {Summary}")]
    public static partial void AlertFired(this ILogger logger, string rule, string tenant, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert rule {Rule} of {Tenant} counts more than {Max} keys; the {Forgotten} quietest were forgotten")]
    public static partial void AlertKeysForgotten(this ILogger logger, long rule, string tenant, int max, int forgotten);

    [LoggerMessage(Level = LogLevel.Error, Message = "The alert rules of {Tenant} could not be evaluated; the next round tries again")]
    public static partial void AlertRulesFailed(this ILogger logger, Exception e, string tenant);
}

/// <summary>Every log line written while a request names a tenant (<c>/v1/audit/{tenant_id}/…</c>) carries that tenant as <c>tenant_id</c>, beside the trace and span ids ASP.NET Core adds.</summary>
public static class TenantLogScope
{
    public static IApplicationBuilder UseTenantLogScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Stoa.Requests");
        return app.Use(async (http, next) =>
        {
            if (http.GetRouteValue("tenant_id") is not string tenantId)
            {
                await next(http);
                return;
            }
            using (logger.BeginScope(new Dictionary<string, object> { ["tenant_id"] = tenantId }))
                await next(http);
        });
    }
}
