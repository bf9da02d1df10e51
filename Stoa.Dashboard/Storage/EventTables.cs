namespace Stoa.Dashboard.Storage;

/// <summary>The table each kind of event is stored in, for the hot paths that write SQL by hand.</summary>
public static class EventTables
{
    public static string Of(EventKind kind) => kind switch
    {
        EventKind.Request => "request_events",
        EventKind.Security => "security_events",
        _ => "business_events",
    };
}
