using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class WeeklyReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "weekly_reviews",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    week_start_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    reviewed_by = table.Column<string>(type: "TEXT", nullable: false),
                    reviewed_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_weekly_reviews", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_weekly_reviews_tenant_id_week_start_ms",
                table: "weekly_reviews",
                columns: new[] { "tenant_id", "week_start_ms" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "weekly_reviews");
        }
    }
}
