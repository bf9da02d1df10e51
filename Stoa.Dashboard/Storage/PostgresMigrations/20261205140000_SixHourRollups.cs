using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.PostgresMigrations
{
    /// <summary>The six-hour rollups of the events already stored, as on SQLite (<see cref="Migrations.SixHourRollups"/>).</summary>
    [DbContext(typeof(PostgresAuditDbContext))]
    [Migration("20261205140000_SixHourRollups")]
    public partial class SixHourRollups : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Migrations.SixHourRollups.CountSql);

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Migrations.SixHourRollups.DeleteSql);
    }
}
