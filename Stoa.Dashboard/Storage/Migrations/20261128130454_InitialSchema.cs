using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", nullable: false),
                    tenants = table.Column<string>(type: "TEXT", nullable: false),
                    consumers = table.Column<string>(type: "TEXT", nullable: false),
                    secret_hash = table.Column<string>(type: "TEXT", nullable: false),
                    created_at_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_at_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    last_used_at_ms = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "business_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    event_id = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    resource_type = table.Column<string>(type: "TEXT", nullable: false),
                    resource_id = table.Column<string>(type: "TEXT", nullable: false),
                    actor_id = table.Column<string>(type: "TEXT", nullable: false),
                    changes = table.Column<string>(type: "TEXT", nullable: true),
                    metadata = table.Column<string>(type: "TEXT", nullable: true),
                    request_id = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_business_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "request_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    request_id = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    consumer_id = table.Column<string>(type: "TEXT", nullable: false),
                    consumer_name = table.Column<string>(type: "TEXT", nullable: false),
                    api_id = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", nullable: false),
                    path = table.Column<string>(type: "TEXT", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: false),
                    latency_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    request_size_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    response_size_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    gateway_version = table.Column<string>(type: "TEXT", nullable: false),
                    datacenter = table.Column<string>(type: "TEXT", nullable: false),
                    key_id = table.Column<string>(type: "TEXT", nullable: true),
                    session_id = table.Column<string>(type: "TEXT", nullable: true),
                    user_id = table.Column<string>(type: "TEXT", nullable: true),
                    client_ip = table.Column<string>(type: "TEXT", nullable: true),
                    user_agent = table.Column<string>(type: "TEXT", nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    request_summary = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_request_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "security_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    event_id = table.Column<string>(type: "TEXT", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    target = table.Column<string>(type: "TEXT", nullable: false),
                    outcome = table.Column<string>(type: "TEXT", nullable: false),
                    details = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_security_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenants",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    created_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenants", x => x.tenant_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_secret_hash",
                table: "api_tokens",
                column: "secret_hash",
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
                name: "IX_business_events_tenant_id_timestamp",
                table: "business_events",
                columns: new[] { "tenant_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_api_id_timestamp",
                table: "request_events",
                columns: new[] { "tenant_id", "api_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_consumer_id_timestamp",
                table: "request_events",
                columns: new[] { "tenant_id", "consumer_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_request_id",
                table: "request_events",
                columns: new[] { "tenant_id", "request_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_timestamp",
                table: "request_events",
                columns: new[] { "tenant_id", "timestamp" });

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
                name: "IX_security_events_tenant_id_target_timestamp",
                table: "security_events",
                columns: new[] { "tenant_id", "target", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_security_events_tenant_id_timestamp",
                table: "security_events",
                columns: new[] { "tenant_id", "timestamp" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "business_events");

            migrationBuilder.DropTable(
                name: "request_events");

            migrationBuilder.DropTable(
                name: "security_events");

            migrationBuilder.DropTable(
                name: "tenants");
        }
    }
}
