using System.Text.RegularExpressions;
using Stoa.Dashboard.Components.Controls;

namespace Stoa.Dashboard.Retention;

/// <summary>
/// How long a tenant's events stay where: <see cref="HotDays"/> in the store (queryable), then
/// <see cref="ArchiveMonths"/> in archive files, then purged. <see cref="None"/> keeps everything
/// hot. Written <c>90d/12mo</c> (or <c>none</c>), or by a preset's name.
/// </summary>
public sealed partial record RetentionPolicy(int? HotDays, int? ArchiveMonths)
{
    public static readonly RetentionPolicy Default = new(90, 12);
    /// <summary>DORA: five years for ICT incident logs.</summary>
    public static readonly RetentionPolicy Dora = new(90, 60);
    public static readonly RetentionPolicy None = new(null, null);

    public static readonly IReadOnlyDictionary<string, RetentionPolicy> Presets = new Dictionary<string, RetentionPolicy>
    {
        ["default"] = Default, ["dora"] = Dora, ["none"] = None,
    };

    public const int MaxHotDays = 3650;
    public const int MaxArchiveMonths = 1200;

    /// <summary><c>90d/12mo</c>, or <c>none</c>.</summary>
    public string Text => HotDays is { } days ? $"{days}d/{ArchiveMonths}mo" : "none";

    /// <summary>The preset this policy is, if it is one.</summary>
    public string? Preset => Presets.FirstOrDefault(p => p.Value == this).Key;

    public string Describe() => HotDays is { } days
        ? $"{Formats.Count(days, "day")} hot, then {Formats.Count(ArchiveMonths ?? 0, "month")} in the archive"
        : "everything kept hot, nothing archived or purged";

    /// <summary>A preset's name or <c>{days}d/{months}mo</c>; null with the reason when it is neither.</summary>
    public static (RetentionPolicy? Policy, string? Problem) Parse(string? text)
    {
        if (text is null) return (null, "Give a preset (default, dora, none) or days and months as '90d/12mo'.");
        if (Presets.TryGetValue(text.Trim().ToLowerInvariant(), out var preset)) return (preset, null);
        var match = Custom().Match(text.Trim());
        if (!match.Success) return (null, $"'{text}' is neither a preset (default, dora, none) nor days and months as '90d/12mo'.");
        if (!int.TryParse(match.Groups[1].ValueSpan, out var hot) || hot is < 1 or > MaxHotDays)
            return (null, $"Hot days must be 1 to {MaxHotDays}.");
        if (!int.TryParse(match.Groups[2].ValueSpan, out var months) || months is < 0 or > MaxArchiveMonths)
            return (null, $"Archive months must be 0 to {MaxArchiveMonths}.");
        return (new RetentionPolicy(hot, months), null);
    }

    /// <summary>Events with times before this leave the hot tables: whole UTC days older than the hot window (null: none do).</summary>
    public long? ArchiveBeforeMs(long nowMs) => HotDays is { } days ? AuditTime.DayStart(nowMs - days * AuditTime.DayMs) : null;

    /// <summary>Archive files of days before this are purged (null: none are).</summary>
    public long? PurgeBeforeMs(long nowMs) => ArchiveBeforeMs(nowMs) is { } hotEdge && ArchiveMonths is { } months
        ? AuditTime.DayStart(DateTimeOffset.FromUnixTimeMilliseconds(hotEdge).AddMonths(-months).ToUnixTimeMilliseconds())
        : null;

    [GeneratedRegex(@"^(\d{1,4})d/(\d{1,4})mo$")]
    private static partial Regex Custom();
}
