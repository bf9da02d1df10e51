using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Stoa.Dashboard.Evidence;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// The store's model, one for both providers. This type is the SQLite store (its migrations are in
/// Storage/Migrations); <see cref="PostgresAuditDbContext"/> is the same model on PostgreSQL, a type of
/// its own only so that it has its own migrations (EF Core's way to keep migrations per provider).
/// </summary>
public class AuditDbContext : DbContext
{
    public AuditDbContext(DbContextOptions<AuditDbContext> options) : base(options) { }

    protected AuditDbContext(DbContextOptions options) : base(options) { }

    /// <summary>Another context on the same store and settings, for a second query at the same time.</summary>
    public AuditDbContext Twin() => (AuditDbContext)Activator.CreateInstance(GetType(), this.GetService<IDbContextOptions>())!;

    public DbSet<RequestEvent> Requests => Set<RequestEvent>();
    public DbSet<SecurityEvent> SecurityEvents => Set<SecurityEvent>();
    public DbSet<BusinessEvent> BusinessEvents => Set<BusinessEvent>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiToken> Tokens => Set<ApiToken>();
    public DbSet<SignInLink> SignInLinks => Set<SignInLink>();
    public DbSet<EntraGrant> EntraGrants => Set<EntraGrant>();
    public DbSet<RequestRollup> RequestRollups => Set<RequestRollup>();
    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentEntry> IncidentEntries => Set<IncidentEntry>();
    public DbSet<WeeklyReviewMark> WeeklyReviews => Set<WeeklyReviewMark>();
    public DbSet<ArchiveFile> ArchiveFiles => Set<ArchiveFile>();
    public DbSet<LegalHold> LegalHolds => Set<LegalHold>();
    public DbSet<Lease> Leases => Set<Lease>();
    public DbSet<Destination> Destinations => Set<Destination>();
    public DbSet<AlertRule> AlertRules => Set<AlertRule>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertCursor> AlertCursors => Set<AlertCursor>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        // An event's field table describes its columns; it is not itself stored.
        model.Ignore<EventField>();
        model.Entity<RequestEvent>(e =>
        {
            e.ToTable(EventTables.Of(EventKind.Request));
            e.Property(r => r.TimestampMs).HasColumnName("timestamp");
            // The idempotency key, and the three access paths of the dashboard and the API:
            // the tenant's window, one consumer's window, one API's window.
            e.HasIndex(r => new { r.TenantId, r.RequestId }).IsUnique();
            e.HasIndex(r => new { r.TenantId, r.TimestampMs });
            // One consumer's window also covers what its profile groups by (methods, latency, keys,
            // paths), so the profile reads the index alone, never the rows: a busy consumer's two
            // weeks are tens of thousands of rows scattered over the table.
            e.HasIndex(r => new { r.TenantId, r.ConsumerId, r.TimestampMs, r.Method, r.LatencyMs, r.KeyId, r.Path })
                .HasDatabaseName("IX_request_events_consumer_window");
            e.HasIndex(r => new { r.TenantId, r.ApiId, r.TimestampMs });
            e.HasIndex(r => new { r.TenantId, r.Seq }).IsUnique();
        });
        model.Entity<SecurityEvent>(e =>
        {
            e.ToTable(EventTables.Of(EventKind.Security));
            e.Property(s => s.TimestampMs).HasColumnName("timestamp");
            e.Property(s => s.Type).HasColumnName("event_type");
            e.HasIndex(s => new { s.TenantId, s.EventId }).IsUnique();
            e.HasIndex(s => new { s.TenantId, s.TimestampMs });
            e.HasIndex(s => new { s.TenantId, s.Type, s.TimestampMs });
            e.HasIndex(s => new { s.TenantId, s.Actor, s.TimestampMs });
            e.HasIndex(s => new { s.TenantId, s.Target, s.TimestampMs });
            e.HasIndex(s => new { s.TenantId, s.Seq }).IsUnique();
        });
        model.Entity<BusinessEvent>(e =>
        {
            e.ToTable(EventTables.Of(EventKind.Business));
            e.Property(b => b.TimestampMs).HasColumnName("timestamp");
            e.HasIndex(b => new { b.TenantId, b.EventId }).IsUnique();
            e.HasIndex(b => new { b.TenantId, b.TimestampMs });
            e.HasIndex(b => new { b.TenantId, b.ActorId, b.TimestampMs });
            e.HasIndex(b => new { b.TenantId, b.ResourceType, b.ResourceId });
            e.HasIndex(b => new { b.TenantId, b.RequestId });
            e.HasIndex(b => new { b.TenantId, b.Seq }).IsUnique();
        });
        model.Entity<RequestRollup>(e =>
        {
            e.ToTable("request_rollups");
            e.HasKey(r => new { r.TenantId, r.SpanMs, r.BucketMs, r.ConsumerId, r.StatusCode });
            e.Property(r => r.SpanMs).HasColumnName("span");
            e.Property(r => r.BucketMs).HasColumnName("bucket");
            e.HasIndex(r => new { r.TenantId, r.ConsumerId, r.SpanMs, r.BucketMs });
        });
        model.Entity<Tenant>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.TenantId);
        });
        model.Entity<ApiToken>(e =>
        {
            e.ToTable("api_tokens");
            e.HasIndex(t => t.SecretHash).IsUnique();
        });
        model.Entity<EntraGrant>(e =>
        {
            e.ToTable("entra_grants");
            e.HasIndex(g => new { g.Subject, g.TenantId }).IsUnique();
            e.HasIndex(g => g.TenantId);
        });
        model.Entity<SignInLink>(e =>
        {
            e.ToTable("sign_in_links");
            e.HasIndex(l => l.CodeHash).IsUnique();
            e.HasIndex(l => l.TokenId);
        });

        // Each event row keeps the tenant's chain head after it (Evidence/HashChain).
        foreach (var kind in new[] { typeof(RequestEvent), typeof(SecurityEvent), typeof(BusinessEvent) })
            model.Entity(kind).Property<byte[]>(HashChain.Property).HasColumnName(HashChain.Column);
        model.Entity<Checkpoint>(e =>
        {
            e.ToTable("checkpoints");
            e.HasIndex(c => new { c.TenantId, c.Seq });
        });

        model.Entity<Incident>(e =>
        {
            e.ToTable("incidents");
            e.HasIndex(i => new { i.TenantId, i.OpenedAtMs });
        });
        model.Entity<IncidentEntry>(e =>
        {
            e.ToTable("incident_entries");
            e.HasIndex(i => new { i.IncidentId, i.AtMs });
        });

        model.Entity<WeeklyReviewMark>(e =>
        {
            e.ToTable("weekly_reviews");
            e.HasIndex(r => new { r.TenantId, r.WeekStartMs });
        });

        model.Entity<ArchiveFile>(e =>
        {
            e.ToTable("archive_files");
            e.HasIndex(a => new { a.TenantId, a.Layer, a.DayMs, a.Part }).IsUnique();
            e.HasIndex(a => new { a.TenantId, a.FirstSeq });
        });
        model.Entity<LegalHold>(e =>
        {
            e.ToTable("legal_holds");
            e.HasIndex(h => h.TenantId);
        });
        model.Entity<Lease>(e =>
        {
            e.ToTable("leases");
            e.HasKey(l => l.Name);
        });

        model.Entity<Destination>(e =>
        {
            e.ToTable("destinations");
            e.HasIndex(d => d.TenantId);
        });

        model.Entity<AlertRule>(e =>
        {
            e.ToTable("alert_rules");
            e.HasIndex(r => r.TenantId);
        });
        model.Entity<Alert>(e =>
        {
            e.ToTable("alerts");
            e.HasIndex(a => new { a.TenantId, a.FiredAtMs });
            e.HasIndex(a => new { a.RuleId, a.TriggerSeq }).IsUnique();
        });
        model.Entity<AlertCursor>(e =>
        {
            e.ToTable("alert_cursors");
            e.HasKey(c => c.TenantId);
        });

        // snake_case columns, so the schema reads like the API (tenant_id, status_code, ...).
        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                if (property.GetColumnName() == property.Name)
                    property.SetColumnName(ToSnakeCase(property.Name));
    }

    private static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
