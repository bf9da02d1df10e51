using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>An incident with its timeline, oldest first.</summary>
public sealed record IncidentFile(Incident Incident, IReadOnlyList<IncidentEntry> Entries)
{
    /// <summary>GDPR Art. 33: the supervisory authority is notified within 72 hours of becoming aware of a personal data breach.</summary>
    public static readonly TimeSpan NotificationDeadline = TimeSpan.FromHours(72);

    /// <summary>Time left to notify (negative: overdue), from the moment the breach was marked detected; null before.</summary>
    public TimeSpan? NotificationLeft(long nowMs) => Incident.DetectedAtMs is { } detected
        ? TimeSpan.FromMilliseconds(detected + (long)NotificationDeadline.TotalMilliseconds - nowMs)
        : null;
}

/// <summary>
/// Incident records: opened from a playbook, a timeline of what was found and done, closed; listed
/// and searchable. Only the tenant's operators work incidents. Opening, marking a breach detected,
/// closing and exporting are also recorded as <c>admin_action</c> security events of the tenant.
/// </summary>
public sealed class Incidents(IDbContextFactory<AuditDbContext> factory, AdminActions actions, TimeProvider clock)
{
    public static readonly string[] Playbooks = ["breach", "corruption", "cost_spike", "other"];
    public const int MaxText = 4_000;

    public async Task<(Incident? Incident, string? Problem)> OpenAsync(Caller caller, string tenantId, string playbook, string title,
        TimeWindow window, string? finding = null, string? findingLink = null, CancellationToken ct = default)
    {
        if (!caller.IsOperatorOf(tenantId)) return (null, "Only the tenant's operators open incidents.");
        if (!Playbooks.Contains(playbook)) return (null, $"'{playbook}' is not a playbook: {string.Join(", ", Playbooks)}.");
        title = title.Trim();
        if (title.Length is 0 or > 200) return (null, "Give the incident a title (at most 200 characters).");
        var now = Now;
        await using var db = await factory.CreateDbContextAsync(ct);
        var incident = new Incident
        {
            TenantId = tenantId, Playbook = playbook, Title = title, WindowFromMs = window.FromMs ?? now - AuditTime.DayMs,
            WindowToMs = window.ToMs ?? now, OpenedBy = caller.Name, OpenedAtMs = now,
        };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        db.IncidentEntries.Add(Entry(incident.Id, caller, "opened", $"Opened with the {playbook.Replace('_', ' ')} playbook: {title}"));
        if (finding is not null) db.IncidentEntries.Add(Entry(incident.Id, caller, "finding", Cut(finding), findingLink));
        await db.SaveChangesAsync(ct);
        await RecordAsync(incident, caller, "incident_opened", new { title, playbook });
        return (incident, null);
    }

    public async Task<string?> AddAsync(Caller caller, long incidentId, string kind, string text, string? link = null, CancellationToken ct = default)
    {
        text = text.Trim();
        if (text.Length == 0) return "Write something first.";
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await FindAsync(db, caller, incidentId, ct) is not { } incident) return "No such incident of a tenant you operate.";
        db.IncidentEntries.Add(Entry(incident.Id, caller, kind, Cut(text), link));
        await db.SaveChangesAsync(ct);
        if (kind == "export") await RecordAsync(incident, caller, "incident_exported", new { what = text });
        return null;
    }

    /// <summary>Starts the GDPR 72-hour clock (once); the moment is on the timeline.</summary>
    public async Task<string?> MarkDetectedAsync(Caller caller, long incidentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await FindAsync(db, caller, incidentId, ct) is not { } incident) return "No such incident of a tenant you operate.";
        if (incident.DetectedAtMs is not null) return "The breach is marked detected already.";
        incident.DetectedAtMs = Now;
        db.IncidentEntries.Add(Entry(incident.Id, caller, "detected",
            $"Marked as a personal data breach detected: the supervisory authority is to be notified by {AuditTime.Print(incident.DetectedAtMs.Value + (long)IncidentFile.NotificationDeadline.TotalMilliseconds)} (GDPR Art. 33)."));
        await db.SaveChangesAsync(ct);
        await RecordAsync(incident, caller, "incident_breach_detected", new { title = incident.Title });
        return null;
    }

    public async Task<string?> CloseAsync(Caller caller, long incidentId, string? conclusion, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await FindAsync(db, caller, incidentId, ct) is not { } incident) return "No such incident of a tenant you operate.";
        if (incident.ClosedAtMs is not null) return "The incident is closed already.";
        (incident.ClosedAtMs, incident.ClosedBy) = (Now, caller.Name);
        db.IncidentEntries.Add(Entry(incident.Id, caller, "closed", string.IsNullOrWhiteSpace(conclusion) ? "Closed." : Cut("Closed: " + conclusion.Trim())));
        await db.SaveChangesAsync(ct);
        await RecordAsync(incident, caller, "incident_closed", new { title = incident.Title, conclusion });
        return null;
    }

    public async Task<IncidentFile?> GetAsync(Caller caller, long incidentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await FindAsync(db, caller, incidentId, ct) is not { } incident) return null;
        var entries = await db.IncidentEntries.AsNoTracking().Where(e => e.IncidentId == incidentId).OrderBy(e => e.AtMs).ThenBy(e => e.Id).ToListAsync(ct);
        return new IncidentFile(incident, entries);
    }

    /// <summary>The tenant's incidents, newest first; <paramref name="search"/> matches titles and the text of their timelines.</summary>
    public async Task<List<Incident>> ListAsync(Caller caller, string tenantId, string? search, bool openOnly, CancellationToken ct = default)
    {
        if (!caller.IsOperatorOf(tenantId)) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var incidents = db.Incidents.AsNoTracking().Where(i => i.TenantId == tenantId);
        if (openOnly) incidents = incidents.Where(i => i.ClosedAtMs == null);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            incidents = incidents.Where(i => i.Title.Contains(term) || db.IncidentEntries.Any(e => e.IncidentId == i.Id && e.Text.Contains(term)));
        }
        return await incidents.OrderByDescending(i => i.OpenedAtMs).Take(500).ToListAsync(ct);
    }

    private static async Task<Incident?> FindAsync(AuditDbContext db, Caller caller, long id, CancellationToken ct)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, ct);
        return incident is not null && caller.IsOperatorOf(incident.TenantId) ? incident : null;
    }

    private IncidentEntry Entry(long incidentId, Caller caller, string kind, string text, string? link = null) =>
        new() { IncidentId = incidentId, AtMs = Now, Author = caller.Name, Kind = kind, Text = text, Link = link };

    private Task RecordAsync(Incident incident, Caller caller, string action, object details) =>
        actions.RecordAsync(incident.TenantId, caller.Name, $"incident:{incident.Id}", new { action, incident_id = incident.Id, details });

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Cut(string text) => text.Length <= MaxText ? text : text[..MaxText];
}
