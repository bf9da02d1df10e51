using System.Globalization;
using System.Text.RegularExpressions;

namespace Stoa.Dashboard.Events;

/// <summary>
/// The contract's time format. Output is always UTC with milliseconds and <c>Z</c>
/// (<c>2026-03-11T03:17:42.123Z</c>) because scripts slice it as a string; input takes any RFC 3339 offset.
/// </summary>
public static partial class AuditTime
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    public const long HourMs = 3_600_000;
    public const long DayMs = 24 * HourMs;

    public static string Print(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string Print(DateTimeOffset time) => Print(time.ToUnixTimeMilliseconds());

    /// <summary>The UTC midnight that starts the day of <paramref name="unixMs"/>.</summary>
    public static long DayStart(long unixMs) => unixMs - (((unixMs % DayMs) + DayMs) % DayMs);

    /// <summary><c>2026-03-11</c>: a UTC day as archive files and their listings name it.</summary>
    public static string PrintDay(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Parses RFC 3339 (date, <c>T</c>, time, optional fraction, <c>Z</c> or ±hh:mm); sub-millisecond digits are truncated.</summary>
    public static bool TryParse(string? text, out long unixMs)
    {
        unixMs = 0;
        if (text is null || !Rfc3339().IsMatch(text)) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return false;
        unixMs = parsed.ToUnixTimeMilliseconds();
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Rfc3339();
}
