using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class HashChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "chain_head",
                table: "tenants",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "chain_head",
                table: "security_events",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "chain_head",
                table: "request_events",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "chain_head",
                table: "business_events",
                type: "BLOB",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "checkpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    head = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    key_id = table.Column<string>(type: "TEXT", nullable: false),
                    statement = table.Column<string>(type: "TEXT", nullable: false),
                    signature = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_checkpoints", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_checkpoints_tenant_id_seq",
                table: "checkpoints",
                columns: new[] { "tenant_id", "seq" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "checkpoints");

            migrationBuilder.DropColumn(
                name: "chain_head",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "chain_head",
                table: "security_events");

            migrationBuilder.DropColumn(
                name: "chain_head",
                table: "request_events");

            migrationBuilder.DropColumn(
                name: "chain_head",
                table: "business_events");
        }
    }
}
