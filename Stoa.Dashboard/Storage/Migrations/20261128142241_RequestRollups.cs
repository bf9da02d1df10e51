using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class RequestRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "request_rollups",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    span = table.Column<long>(type: "INTEGER", nullable: false),
                    bucket = table.Column<long>(type: "INTEGER", nullable: false),
                    consumer_id = table.Column<string>(type: "TEXT", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: false),
                    consumer_name = table.Column<string>(type: "TEXT", nullable: false),
                    requests = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_in = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_out = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_request_rollups", x => new { x.tenant_id, x.span, x.bucket, x.consumer_id, x.status_code });
                });

            migrationBuilder.CreateIndex(
                name: "IX_request_rollups_tenant_id_consumer_id_span_bucket",
                table: "request_rollups",
                columns: new[] { "tenant_id", "consumer_id", "span", "bucket" });

            // Count what is already stored.
            migrationBuilder.Sql(Stoa.Dashboard.Storage.RollupQueries.RebuildSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "request_rollups");
        }
    }
}
