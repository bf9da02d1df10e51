using System.Text;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Forwarding;

/// <summary>
/// One event as an RFC 5424 syslog message: <c>&lt;PRI&gt;1 TIMESTAMP HOST stoa - EVENT_TYPE
/// [stoa@32473 tenant="…" seq="…" kind="…"] BODY</c>, facility 13 (log audit), the severity from the
/// event (5xx error, 4xx and failures warning, other security events notice, the rest informational),
/// the timestamp the event's own, the body its JSON or a CEF line.
/// </summary>
public static class SyslogFormat
{
    public const int Facility = 13;

    public static string Message(Destination destination, AuditEvent e)
    {
        var body = destination.Format == "cef" ? Cef(e) : EventSenders.Json(e);
        var data = $"[stoa@32473 tenant=\"{Param(e.TenantId)}\" seq=\"{e.Seq}\" kind=\"{e.Kind.ToString().ToLowerInvariant()}\"]";
        return $"<{Facility * 8 + Severity(e)}>1 {AuditTime.Print(e.TimestampMs)} {Host} stoa - {e.EventType} {data} {body}";
    }

    private static readonly string Host = Environment.MachineName.Replace(' ', '-') is { Length: > 0 } name ? name : "-";

    /// <summary>Syslog severities: 3 error, 4 warning, 5 notice, 6 informational.</summary>
    public static int Severity(AuditEvent e) => e switch
    {
        RequestEvent { StatusCode: >= 500 } => 3,
        RequestEvent { StatusCode: >= 400 } => 4,
        SecurityEvent { Outcome: "failure" } => 4,
        SecurityEvent => 5,
        _ => 6,
    };

    /// <summary>ArcSight CEF: <c>CEF:0|Stoa|Stoa.Dashboard|1|type|summary|severity|extensions</c>, escaped as CEF says.</summary>
    public static string Cef(AuditEvent e)
    {
        var severity = Severity(e) switch { 3 => 8, 4 => 5, 5 => 3, _ => 1 };
        var extensions = new List<(string Key, string? Value)>
        {
            ("rt", e.TimestampMs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("externalId", e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("cs1Label", "tenant"), ("cs1", e.TenantId),
        };
        extensions.AddRange(e switch
        {
            RequestEvent r => [("suser", r.ConsumerId), ("src", r.ClientIp), ("requestMethod", r.Method), ("request", r.Path),
                ("outcome", r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cs2Label", "request_id"), ("cs2", r.RequestId)],
            SecurityEvent s => [("suser", s.Actor), ("duser", s.Target), ("outcome", s.Outcome), ("cs2Label", "event_id"), ("cs2", s.EventId)],
            BusinessEvent b => [("suser", b.ActorId), ("act", b.Action), ("cs2Label", "resource"), ("cs2", $"{b.ResourceType}/{b.ResourceId}"),
                ("cs3Label", "request_id"), ("cs3", b.RequestId)],
            _ => [],
        });
        var text = new StringBuilder($"CEF:0|Stoa|Stoa.Dashboard|1|{Header(e.EventType)}|{Header(e.Summary)}|{severity}|");
        text.AppendJoin(' ', extensions.Where(x => !string.IsNullOrEmpty(x.Value)).Select(x => $"{x.Key}={Extension(x.Value!)}"));
        return text.ToString();
    }

    private static string Header(string value) => value.Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
    private static string Extension(string value) => value.Replace("\\", "\\\\").Replace("=", "\\=").Replace("\r", "\\r").Replace("\n", "\\n");
    private static string Param(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("]", "\\]");

    /// <summary><c>host:port</c> or <c>[v6]:port</c>.</summary>
    public static (string Host, int Port) HostAndPort(string target)
    {
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            throw new DeliveryException($"'{target}' is not host:port.");
        return (target[..colon].Trim('[', ']'), port);
    }
}
