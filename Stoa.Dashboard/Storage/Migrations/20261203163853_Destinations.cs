using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Destinations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "destinations",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", nullable: false),
                    target = table.Column<string>(type: "TEXT", nullable: false),
                    topic = table.Column<string>(type: "TEXT", nullable: true),
                    format = table.Column<string>(type: "TEXT", nullable: false),
                    ca_file = table.Column<string>(type: "TEXT", nullable: true),
                    sasl_username = table.Column<string>(type: "TEXT", nullable: true),
                    kinds = table.Column<string>(type: "TEXT", nullable: true),
                    event_types = table.Column<string>(type: "TEXT", nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: false),
                    delivered_seq = table.Column<long>(type: "INTEGER", nullable: false),
                    delivered_at_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    delivered_count = table.Column<long>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    last_error_at_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    failing_since_ms = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_destinations", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_destinations_tenant_id",
                table: "destinations",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "destinations");
        }
    }
}
