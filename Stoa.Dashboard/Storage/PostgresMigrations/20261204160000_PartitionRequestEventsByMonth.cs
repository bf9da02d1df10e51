using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stoa.Dashboard.Storage.PostgresMigrations
{
    /// <summary>
    /// Partitions <c>request_events</c> by UTC month (<see cref="RequestPartitions"/>): the rows move into
    /// a partitioned table of the same columns, a partition per month they fall in. The model does not
    /// change, so the model snapshot does not either. A unique index of a partitioned table must hold the
    /// partition key, so the primary key becomes (id, timestamp) and the indexes on (tenant, request id)
    /// and (tenant, seq) are no longer unique: the writer keeps both so, under the tenant's row lock.
    /// </summary>
    [DbContext(typeof(PostgresAuditDbContext))]
    [Migration("20261204160000_PartitionRequestEventsByMonth")]
    public partial class PartitionRequestEventsByMonth : Migration
    {
        /// <summary>The table's indexes, and whether each was unique before the partitioning.</summary>
        private static readonly (string Name, string Columns, bool WasUnique)[] Indexes =
        [
            ("IX_request_events_consumer_window", "tenant_id, consumer_id, timestamp, method, latency_ms, key_id, path", false),
            ("IX_request_events_tenant_id_api_id_timestamp", "tenant_id, api_id, timestamp", false),
            ("IX_request_events_tenant_id_request_id", "tenant_id, request_id", true),
            ("IX_request_events_tenant_id_seq", "tenant_id, seq", true),
            ("IX_request_events_tenant_id_timestamp", "tenant_id, timestamp", false),
        ];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE request_events RENAME TO request_events_unpartitioned;
                CREATE TABLE request_events (LIKE request_events_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (timestamp);
                DO $$
                DECLARE month timestamp;
                BEGIN
                    FOR month IN SELECT DISTINCT date_trunc('month', to_timestamp(timestamp / 1000.0) AT TIME ZONE 'UTC') FROM request_events_unpartitioned LOOP
                        EXECUTE format('CREATE TABLE %I PARTITION OF request_events FOR VALUES FROM (%s) TO (%s)',
                            'request_events_' || to_char(month, 'YYYY_MM'),
                            (extract(epoch FROM month) * 1000)::bigint, (extract(epoch FROM month + interval '1 month') * 1000)::bigint);
                    END LOOP;
                END $$;
                INSERT INTO request_events SELECT * FROM request_events_unpartitioned;
                DROP TABLE request_events_unpartitioned;
                ALTER TABLE request_events ADD CONSTRAINT "PK_request_events" PRIMARY KEY (id, timestamp);
                """ + CreateIndexes(unique: false) + NameTheIdSequence);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE request_events RENAME TO request_events_partitioned;
                CREATE TABLE request_events (LIKE request_events_partitioned INCLUDING DEFAULTS INCLUDING IDENTITY);
                INSERT INTO request_events SELECT * FROM request_events_partitioned;
                DROP TABLE request_events_partitioned;
                ALTER TABLE request_events ADD CONSTRAINT "PK_request_events" PRIMARY KEY (id);
                """ + CreateIndexes(unique: true) + NameTheIdSequence);
        }

        private static string CreateIndexes(bool unique) => string.Concat(Indexes.Select(index =>
            $"CREATE {(unique && index.WasUnique ? "UNIQUE " : "")}INDEX \"{index.Name}\" ON request_events ({index.Columns});\n"));

        /// <summary>The copy's identity sequence goes on from the rows' ids, under the name the first one had.</summary>
        private const string NameTheIdSequence = """
            SELECT setval(pg_get_serial_sequence('request_events', 'id'), COALESCE((SELECT max(id) FROM request_events), 0) + 1, false);
            DO $$
            BEGIN
                IF pg_get_serial_sequence('request_events', 'id') NOT LIKE '%.request_events_id_seq' THEN
                    EXECUTE format('ALTER SEQUENCE %s RENAME TO request_events_id_seq', pg_get_serial_sequence('request_events', 'id'));
                END IF;
            END $$;
            """;
    }
}
