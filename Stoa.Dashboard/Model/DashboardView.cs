using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Stoa.Dashboard.Model;

/// <summary>
/// What every page shows, read from the URL so that any view can be pasted to a colleague: the
/// tenant, a concrete window (from the API's <c>from</c>/<c>to</c>/<c>hours</c>/<c>days</c>, 24h by
/// default), and the time zone timestamps are shown in (<c>tz</c>: UTC, <c>browser</c>, or an IANA id).
/// </summary>
public sealed record DashboardView(
    string? Tenant, long FromMs, long ToMs, string WindowLabel, string? Preset, string TimeZoneParameter, TimeZoneInfo Zone,
    IReadOnlyList<QueryProblem> Problems)
{
    public const string BrowserZone = "browser";
    public static readonly string[] Presets = ["1h", "6h", "24h", "48h", "7d", "30d"];

    public TimeWindow Window => new(FromMs, ToMs);

    /// <summary>The zone's name as shown next to every timestamp.</summary>
    public string ZoneName => Zone == TimeZoneInfo.Utc ? "UTC" : Zone.Id;

    public static DashboardView Parse(string uri, TimeProvider clock, string? browserZone = null)
    {
        var query = new QueryCollection(QueryHelpers.ParseQuery(new Uri(uri).Query));
        var reader = new QueryReader(query, clock);
        var window = reader.Window();
        var tenant = reader.Identifier("tenant");
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();

        string? preset = null;
        var hasWindow = query.ContainsKey("from") || query.ContainsKey("to") || query.ContainsKey("hours") || query.ContainsKey("days");
        if (!hasWindow || reader.Problems.Count > 0)
        {
            window = new TimeWindow(now - AuditTime.DayMs, null);
            preset = "24h";
        }
        else if (query.ContainsKey("hours")) preset = query["hours"] + "h";
        else if (query.ContainsKey("days")) preset = query["days"] + "d";

        var to = window.ToMs ?? now;
        var from = window.FromMs ?? to - AuditTime.DayMs;

        var tzParameter = query.TryGetValue("tz", out var tz) && !string.IsNullOrWhiteSpace(tz) ? tz.ToString() : "UTC";
        var zone = ResolveZone(tzParameter == BrowserZone ? browserZone ?? "UTC" : tzParameter);
        var problems = reader.Problems.ToList();
        if (zone is null) problems.Add(new QueryProblem("tz", $"'{tzParameter}' is not a time zone; use UTC, browser, or an IANA name such as Europe/Paris."));

        var label = preset is not null && Presets.Contains(preset) ? $"last {preset}" : "custom";
        return new DashboardView(tenant, from, to, label, preset, tzParameter, zone ?? TimeZoneInfo.Utc, problems);
    }

    public static TimeZoneInfo? ResolveZone(string id)
    {
        if (id.Equals("UTC", StringComparison.OrdinalIgnoreCase) || id == "Z") return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>A timestamp in the view's zone, to the millisecond, naming the zone.</summary>
    public string Time(long unixMs) => CellTime(unixMs) + " " + ZoneName;

    /// <summary>The same in a table whose column header names the zone once ("Time (UTC)"): not again in every row.</summary>
    public string CellTime(long unixMs) => Local(unixMs).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>
    /// The window as the app bar shows it: "Mar 10 03:00 → Mar 11 12:00 UTC", with the years when
    /// either end is not in the current year ("2025-12-31 00:00 → 2026-01-01 00:00 UTC"), and the zone.
    /// </summary>
    public string RangeText(long nowMs)
    {
        var year = Local(nowMs).Year;
        var (from, to) = (Local(FromMs), Local(ToMs));
        var format = from.Year != year || to.Year != year ? "yyyy-MM-dd HH:mm" : "MMM d HH:mm";
        return $"{from.ToString(format, CultureInfo.InvariantCulture)} → {to.ToString(format, CultureInfo.InvariantCulture)} {ZoneName}";
    }

    public string ShortTime(long unixMs) => Local(unixMs).ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A wall-clock time read in the view's zone ("2026-03-10 04:00:00", "2026-03-10T04:00"), as Unix milliseconds.</summary>
    public long? FromLocal(string? text)
    {
        if (text is null || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return null;
        var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Zone);
        return new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    public DateTimeOffset Local(long unixMs) => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), Zone);

    /// <summary>
    /// The query string of this view (tenant, window, zone) plus <paramref name="extra"/>; a preset
    /// window stays a preset (<c>hours=24</c>) so a shared link keeps meaning "the last 24 hours".
    /// </summary>
    public string Query(IDictionary<string, string?>? extra = null)
    {
        var parameters = new Dictionary<string, string?>();
        if (Tenant is not null) parameters["tenant"] = Tenant;
        if (Preset is not null)
            parameters[Preset.EndsWith('h') ? "hours" : "days"] = Preset[..^1];
        else
        {
            parameters["from"] = AuditTime.Print(FromMs);
            parameters["to"] = AuditTime.Print(ToMs);
        }
        if (TimeZoneParameter != "UTC") parameters["tz"] = TimeZoneParameter;
        if (extra is not null)
            foreach (var (key, value) in extra) parameters[key] = value;
        return QueryString(parameters);
    }

    /// <summary><c>?a=1&amp;b=2</c> of the parameters that have a value.</summary>
    private static string QueryString(IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        // ':' and '/' are legal in a query and keep shared links readable (from=2026-03-11T03:00:00.000Z, tz=Europe/Paris).
        var pairs = parameters.Where(kv => kv.Value is not null)
            .Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value!).Replace("%3A", ":").Replace("%2F", "/")}");
        return "?" + string.Join('&', pairs);
    }

    public string Link(string path, IDictionary<string, string?>? extra = null) => path + Query(extra);

    /// <summary>
    /// The API's export of this view's tenant (<c>/v1/audit/{tenant}/export/{format}</c>, the endpoint
    /// scripts use): the parameters given, in order, then this view's window unless they name one.
    /// </summary>
    public string ExportLink(string format, params (string Name, string? Value)[] parameters)
    {
        var query = parameters.Select(p => new KeyValuePair<string, string?>(p.Name, p.Value)).ToList();
        if (!parameters.Any(p => p.Name is "from" or "to"))
            query.AddRange([new("from", AuditTime.Print(FromMs)), new("to", AuditTime.Print(ToMs))]);
        return $"/v1/audit/{Tenant}/export/{format}" + QueryString(query);
    }

    /// <summary>The permanent link of one event: its number and tenant, and this view's zone; no window, since the event fixes its own time.</summary>
    public string EventLink(long seq) => $"/events/{seq}" + QueryString(
    [
        new("tenant", Tenant ?? ""),
        new("tz", TimeZoneParameter != "UTC" ? TimeZoneParameter : null),
    ]);

    /// <summary>The same view over another window (a zoom, a preset, a custom range).</summary>
    public DashboardView WithWindow(long fromMs, long toMs) => this with { FromMs = fromMs, ToMs = toMs, Preset = null, WindowLabel = "custom" };

    /// <summary>A preset window ("the last 24h") moved to end at <paramref name="nowMs"/>; a fixed window stays.</summary>
    public DashboardView SlideTo(long nowMs) => Preset is null ? this : this with { FromMs = nowMs - (ToMs - FromMs), ToMs = nowMs };

    public DashboardView WithPreset(string preset) => this with { Preset = preset, WindowLabel = $"last {preset}" };
}
