using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ConsumerWindowCoveringIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_request_events_tenant_id_consumer_id_timestamp",
                table: "request_events");

            migrationBuilder.CreateIndex(
                name: "IX_request_events_consumer_window",
                table: "request_events",
                columns: new[] { "tenant_id", "consumer_id", "timestamp", "method", "latency_ms", "key_id", "path" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_request_events_consumer_window",
                table: "request_events");

            migrationBuilder.CreateIndex(
                name: "IX_request_events_tenant_id_consumer_id_timestamp",
                table: "request_events",
                columns: new[] { "tenant_id", "consumer_id", "timestamp" });
        }
    }
}
