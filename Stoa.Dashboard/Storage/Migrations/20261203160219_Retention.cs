using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "chain_base_head",
                table: "tenants",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "chain_base_seq",
                table: "tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "retention",
                table: "tenants",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "archive_files",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    layer = table.Column<string>(type: "TEXT", nullable: false),
                    day_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    part = table.Column<int>(type: "INTEGER", nullable: false),
                    path = table.Column<string>(type: "TEXT", nullable: false),
                    rows = table.Column<long>(type: "INTEGER", nullable: false),
                    first_seq = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seq = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    sha256 = table.Column<string>(type: "TEXT", nullable: false),
                    first_head = table.Column<byte[]>(type: "BLOB", nullable: false),
                    last_head = table.Column<byte[]>(type: "BLOB", nullable: false),
                    checkpoint_id = table.Column<long>(type: "INTEGER", nullable: false),
                    archived_at_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    purged_at_ms = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_archive_files", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    holder = table.Column<string>(type: "TEXT", nullable: false),
                    expires_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "legal_holds",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    from_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    to_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    reason = table.Column<string>(type: "TEXT", nullable: false),
                    placed_by = table.Column<string>(type: "TEXT", nullable: false),
                    placed_at_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    released_by = table.Column<string>(type: "TEXT", nullable: true),
                    released_at_ms = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_legal_holds", x => x.id);
                });

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
                name: "IX_legal_holds_tenant_id",
                table: "legal_holds",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "archive_files");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "legal_holds");

            migrationBuilder.DropColumn(
                name: "chain_base_head",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "chain_base_seq",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "retention",
                table: "tenants");
        }
    }
}
