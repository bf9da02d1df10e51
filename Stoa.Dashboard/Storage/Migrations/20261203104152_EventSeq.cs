using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class EventSeq : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "last_seq",
                table: "tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "seq",
                table: "security_events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "seq",
                table: "request_events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "seq",
                table: "business_events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Events stored before arrival numbers existed are numbered per tenant in time order
            // (then request, security, business, then row id): the best record of arrival there is.
            migrationBuilder.Sql("""
                CREATE TEMP TABLE event_seq (kind INTEGER NOT NULL, id INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
                INSERT INTO event_seq (kind, id, seq)
                SELECT kind, id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY timestamp, kind, id) FROM (
                    SELECT 0 AS kind, id, tenant_id, timestamp FROM request_events
                    UNION ALL SELECT 1, id, tenant_id, timestamp FROM security_events
                    UNION ALL SELECT 2, id, tenant_id, timestamp FROM business_events);
                UPDATE request_events SET seq = event_seq.seq FROM event_seq WHERE event_seq.kind = 0 AND event_seq.id = request_events.id;
                UPDATE security_events SET seq = event_seq.seq FROM event_seq WHERE event_seq.kind = 1 AND event_seq.id = security_events.id;
                UPDATE business_events SET seq = event_seq.seq FROM event_seq WHERE event_seq.kind = 2 AND event_seq.id = business_events.id;
                DROP TABLE event_seq;
                INSERT INTO tenants (tenant_id, created_at_ms, last_seq)
                SELECT tenant_id, 0, 0 FROM (SELECT tenant_id FROM request_events UNION SELECT tenant_id FROM security_events UNION SELECT tenant_id FROM business_events)
                WHERE true ON CONFLICT (tenant_id) DO NOTHING;
                UPDATE tenants SET last_seq = coalesce((SELECT max(seq) FROM (
                    SELECT max(seq) AS seq FROM request_events WHERE request_events.tenant_id = tenants.tenant_id
                    UNION ALL SELECT max(seq) FROM security_events WHERE security_events.tenant_id = tenants.tenant_id
                    UNION ALL SELECT max(seq) FROM business_events WHERE business_events.tenant_id = tenants.tenant_id)), 0);
                """);

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_seq",
                table: "security_events",
                columns: new[] { "tenant_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_seq",
                table: "request_events",
                columns: new[] { "tenant_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_seq",
                table: "business_events",
                columns: new[] { "tenant_id", "seq" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_security_events_tenant_id_seq",
                table: "security_events");

            migrationBuilder.DropIndex(
                name: "IX_request_events_tenant_id_seq",
                table: "request_events");

            migrationBuilder.DropIndex(
                name: "IX_business_events_tenant_id_seq",
                table: "business_events");

            migrationBuilder.DropColumn(
                name: "last_seq",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "seq",
                table: "security_events");

            migrationBuilder.DropColumn(
                name: "seq",
                table: "request_events");

            migrationBuilder.DropColumn(
                name: "seq",
                table: "business_events");
        }
    }
}
