using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Stoa.Dashboard.Storage.PostgresMigrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_cursors",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    evaluated_seq = table.Column<long>(type: "bigint", nullable: false),
                    evaluated_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    warm_from_seq = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_cursors", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "alert_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    threshold = table.Column<double>(type: "double precision", nullable: false),
                    min_events = table.Column<int>(type: "integer", nullable: false),
                    window_minutes = table.Column<int>(type: "integer", nullable: false),
                    event_types = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    notify = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    rule_id = table.Column<long>(type: "bigint", nullable: false),
                    rule_name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    rule_type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    trigger_seq = table.Column<long>(type: "bigint", nullable: false),
                    fired_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    last_seq = table.Column<long>(type: "bigint", nullable: false),
                    last_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false),
                    summary = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    window_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    role = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    tenants = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    consumers = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    secret_hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    expires_at_ms = table.Column<long>(type: "bigint", nullable: true),
                    revoked_at_ms = table.Column<long>(type: "bigint", nullable: true),
                    last_used_at_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "archive_files",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    layer = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    day_ms = table.Column<long>(type: "bigint", nullable: false),
                    part = table.Column<int>(type: "integer", nullable: false),
                    path = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    rows = table.Column<long>(type: "bigint", nullable: false),
                    first_seq = table.Column<long>(type: "bigint", nullable: false),
                    last_seq = table.Column<long>(type: "bigint", nullable: false),
                    bytes = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    first_head = table.Column<byte[]>(type: "bytea", nullable: false),
                    last_head = table.Column<byte[]>(type: "bytea", nullable: false),
                    checkpoint_id = table.Column<long>(type: "bigint", nullable: false),
                    archived_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    purged_at_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_archive_files", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "business_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    action = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    resource_type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    resource_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    actor_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    changes = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    metadata = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    request_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    chain_head = table.Column<byte[]>(type: "bytea", nullable: true),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    timestamp = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_business_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "checkpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    head = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    key_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    statement = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    signature = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_checkpoints", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    xml = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "destinations",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    target = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    topic = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    format = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ca_file = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    sasl_username = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    kinds = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    event_types = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    delivered_seq = table.Column<long>(type: "bigint", nullable: false),
                    delivered_at_ms = table.Column<long>(type: "bigint", nullable: true),
                    delivered_count = table.Column<long>(type: "bigint", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    last_error_at_ms = table.Column<long>(type: "bigint", nullable: true),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    failing_since_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_destinations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "entra_grants",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    subject = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    object_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    consumers = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_entra_grants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "incident_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    incident_id = table.Column<long>(type: "bigint", nullable: false),
                    at_ms = table.Column<long>(type: "bigint", nullable: false),
                    author = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    text = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    link = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incident_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    playbook = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    title = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    window_from_ms = table.Column<long>(type: "bigint", nullable: false),
                    window_to_ms = table.Column<long>(type: "bigint", nullable: false),
                    opened_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    opened_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    detected_at_ms = table.Column<long>(type: "bigint", nullable: true),
                    closed_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    closed_at_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incidents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    holder = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    expires_at_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "legal_holds",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    from_ms = table.Column<long>(type: "bigint", nullable: true),
                    to_ms = table.Column<long>(type: "bigint", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    placed_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    placed_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    released_by = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    released_at_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_legal_holds", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "request_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    request_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    consumer_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    consumer_name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    api_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    method = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    path = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status_code = table.Column<int>(type: "integer", nullable: false),
                    latency_ms = table.Column<long>(type: "bigint", nullable: false),
                    request_size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    response_size_bytes = table.Column<long>(type: "bigint", nullable: false),
                    gateway_version = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    datacenter = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    key_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    session_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    user_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    client_ip = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    user_agent = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    error_message = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    request_summary = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    chain_head = table.Column<byte[]>(type: "bytea", nullable: true),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    timestamp = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_request_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "request_rollups",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    span = table.Column<long>(type: "bigint", nullable: false),
                    bucket = table.Column<long>(type: "bigint", nullable: false),
                    consumer_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status_code = table.Column<int>(type: "integer", nullable: false),
                    consumer_name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    bytes_in = table.Column<long>(type: "bigint", nullable: false),
                    bytes_out = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_request_rollups", x => new { x.tenant_id, x.span, x.bucket, x.consumer_id, x.status_code });
                });

            migrationBuilder.CreateTable(
                name: "security_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    event_type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    actor = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    target = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    outcome = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    details = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    chain_head = table.Column<byte[]>(type: "bytea", nullable: true),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    timestamp = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_security_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sign_in_links",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    code_hash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    token_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    expires_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    used_at_ms = table.Column<long>(type: "bigint", nullable: true),
                    revoked_at_ms = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sign_in_links", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenants",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    created_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    last_seq = table.Column<long>(type: "bigint", nullable: false),
                    chain_head = table.Column<byte[]>(type: "bytea", nullable: true),
                    sensitive_paths = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    retention = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    chain_base_seq = table.Column<long>(type: "bigint", nullable: false),
                    chain_base_head = table.Column<byte[]>(type: "bytea", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenants", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "weekly_reviews",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    week_start_ms = table.Column<long>(type: "bigint", nullable: false),
                    reviewed_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    reviewed_at_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_weekly_reviews", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_rules_tenant_id",
                table: "alert_rules",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_alerts_rule_id_trigger_seq",
                table: "alerts",
                columns: new[] { "rule_id", "trigger_seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_alerts_tenant_id_fired_at_ms",
                table: "alerts",
                columns: new[] { "tenant_id", "fired_at_ms" });

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_secret_hash",
                table: "api_tokens",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_archive_files_tenant_id_first_seq",
                table: "archive_files",
                columns: new[] { "tenant_id", "first_seq" });

            migrationBuilder.CreateIndex(
                name: "IX_archive_files_tenant_id_layer_day_ms_part",
                table: "archive_files",
                columns: new[] { "tenant_id", "layer", "day_ms", "part" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_actor_id_timestamp",
                table: "business_events",
                columns: new[] { "tenant_id", "actor_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_event_id",
                table: "business_events",
                columns: new[] { "tenant_id", "event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_request_id",
                table: "business_events",
                columns: new[] { "tenant_id", "request_id" });

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_resource_type_resource_id",
                table: "business_events",
                columns: new[] { "tenant_id", "resource_type", "resource_id" });

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_seq",
                table: "business_events",
                columns: new[] { "tenant_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_business_events_tenant_id_timestamp",
                table: "business_events",
                columns: new[] { "tenant_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_checkpoints_tenant_id_seq",
                table: "checkpoints",
                columns: new[] { "tenant_id", "seq" });

            migrationBuilder.CreateIndex(
                name: "IX_destinations_tenant_id",
                table: "destinations",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_entra_grants_subject_tenant_id",
                table: "entra_grants",
                columns: new[] { "subject", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_entra_grants_tenant_id",
                table: "entra_grants",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_incident_entries_incident_id_at_ms",
                table: "incident_entries",
                columns: new[] { "incident_id", "at_ms" });

            migrationBuilder.CreateIndex(
                name: "IX_incidents_tenant_id_opened_at_ms",
                table: "incidents",
                columns: new[] { "tenant_id", "opened_at_ms" });

            migrationBuilder.CreateIndex(
                name: "IX_legal_holds_tenant_id",
                table: "legal_holds",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_request_events_consumer_window",
                table: "request_events",
                columns: new[] { "tenant_id", "consumer_id", "timestamp", "method", "latency_ms", "key_id", "path" });

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_api_id_timestamp",
                table: "request_events",
                columns: new[] { "tenant_id", "api_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_request_id",
                table: "request_events",
                columns: new[] { "tenant_id", "request_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_seq",
                table: "request_events",
                columns: new[] { "tenant_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_timestamp",
                table: "request_events",
                columns: new[] { "tenant_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_request_rollups_tenant_id_consumer_id_span_bucket",
                table: "request_rollups",
                columns: new[] { "tenant_id", "consumer_id", "span", "bucket" });

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_actor_timestamp",
                table: "security_events",
                columns: new[] { "tenant_id", "actor", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_event_id",
                table: "security_events",
                columns: new[] { "tenant_id", "event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_event_type_timestamp",
                table: "security_events",
                columns: new[] { "tenant_id", "event_type", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_seq",
                table: "security_events",
                columns: new[] { "tenant_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_target_timestamp",
                table: "security_events",
                columns: new[] { "tenant_id", "target", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_timestamp",
                table: "security_events",
                columns: new[] { "tenant_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_sign_in_links_code_hash",
                table: "sign_in_links",
                column: "code_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sign_in_links_token_id",
                table: "sign_in_links",
                column: "token_id");

            migrationBuilder.CreateIndex(
                name: "IX_weekly_reviews_tenant_id_week_start_ms",
                table: "weekly_reviews",
                columns: new[] { "tenant_id", "week_start_ms" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_cursors");

            migrationBuilder.DropTable(
                name: "alert_rules");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "archive_files");

            migrationBuilder.DropTable(
                name: "business_events");

            migrationBuilder.DropTable(
                name: "checkpoints");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "destinations");

            migrationBuilder.DropTable(
                name: "entra_grants");

            migrationBuilder.DropTable(
                name: "incident_entries");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "legal_holds");

            migrationBuilder.DropTable(
                name: "request_events");

            migrationBuilder.DropTable(
                name: "request_rollups");

            migrationBuilder.DropTable(
                name: "security_events");

            migrationBuilder.DropTable(
                name: "sign_in_links");

            migrationBuilder.DropTable(
                name: "tenants");

            migrationBuilder.DropTable(
                name: "weekly_reviews");
        }
    }
}
