using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class TenMinuteRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The ten-minute rollups of the events already stored, as the writer keeps them from now on.
            migrationBuilder.Sql("""
                INSERT INTO request_rollups (tenant_id, span, bucket, consumer_id, status_code, consumer_name, requests, bytes_in, bytes_out)
                SELECT tenant_id, 600000, timestamp / 600000 * 600000, consumer_id, status_code, MAX(consumer_name), COUNT(*),
                       SUM(request_size_bytes), SUM(response_size_bytes)
                FROM request_events GROUP BY tenant_id, timestamp / 600000, consumer_id, status_code;
                """);

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM request_rollups WHERE span = 600000;");

        }
    }
}
