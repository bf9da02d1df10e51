using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class EntraGrants : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "entra_grants",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    subject = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    consumers = table.Column<string>(type: "TEXT", nullable: false),
                    created_at_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_entra_grants", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_entra_grants_subject_tenant_id",
                table: "entra_grants",
                columns: new[] { "subject", "tenant_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_entra_grants_tenant_id",
                table: "entra_grants",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "entra_grants");
        }
    }
}
