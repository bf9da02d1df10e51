namespace Stoa.Dashboard.Tests.Support;

/// <summary>A test of something only SQLite has (its file, WAL, a size cap): skipped when the suite runs on PostgreSQL.</summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestStore.OnPostgres) Skip = "SQLite only: the suite runs on PostgreSQL (STOA_TEST_POSTGRES).";
    }
}

/// <summary>A test of what only PostgreSQL does (several instances on one store): skipped on SQLite.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestStore.OnPostgres) Skip = "PostgreSQL only: set STOA_TEST_POSTGRES (tools/postgres.sh starts a server; .ci/run does).";
    }
}

/// <summary>A test of several instances on PostgreSQL and one Redis: skipped unless both are given.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!TestStore.WithRedis) Skip = "PostgreSQL and Redis only: set STOA_TEST_POSTGRES and STOA_TEST_REDIS (tools/postgres.sh and tools/redis.sh start them; .ci/run does).";
    }
}
