
namespace Stoa.Dashboard.Events;

/// <summary>The filters of each layer, read from a query string (shared by reads and exports).</summary>
public static class FilterReader
{
    public static RequestFilter RequestFilter(this QueryReader q)
    {
        var filter = new RequestFilter
        {
            Window = q.Window(),
            ConsumerId = q.Identifier("consumer_id"),
            ApiId = q.Identifier("api_id"),
            Method = q.OneOf("method", AuditVocabulary.Methods, upperCase: true),
            Path = q.Text("path"),
            PathPrefix = q.Text("path_prefix"),
            Status = (int?)q.Integer("status", 100, 599),
            StatusMin = (int?)q.Integer("status_min", 100, 599),
            StatusMax = (int?)q.Integer("status_max", 100, 599),
        };
        if (filter.StatusMin > filter.StatusMax) q.Problem("status_min", "'status_min' is above 'status_max'.");
        return filter;
    }

    public static SecurityFilter SecurityFilter(this QueryReader q) => new()
    {
        Window = q.Window(),
        EventTypes = q.ListOf("event_type", AuditVocabulary.SecurityEventTypes),
        Actor = q.Text("actor"),
        Target = q.Text("target"),
        Outcome = q.OneOf("outcome", AuditVocabulary.Outcomes),
    };

    public static BusinessFilter BusinessFilter(this QueryReader q) => new()
    {
        Window = q.Window(),
        Action = q.Text("action"),
        ResourceType = q.Text("resource_type"),
        ResourceId = q.Text("resource_id"),
        ActorId = q.Text("actor_id"),
        RequestId = q.Text("request_id"),
    };
}
