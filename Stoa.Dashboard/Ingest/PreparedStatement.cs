using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// A statement prepared once and run many times with values bound by position, through SQLite's C
/// API. Microsoft.Data.Sqlite binds every value by its parameter's name (a lookup and a UTF-8
/// copy of the name each time), which at ingest rates costs about as much as the insert itself.
/// It runs inside whatever transaction the connection has open.
/// </summary>
public sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public PreparedStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds the values to ?1, ?2, … in order and runs the statement; returns the rows it changed.</summary>
    public int Run(ReadOnlySpan<object?> values)
    {
        for (var i = 0; i < values.Length; i++)
            Check(values[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, i + 1),
                string text => raw.sqlite3_bind_text(_statement, i + 1, text),
                long number => raw.sqlite3_bind_int64(_statement, i + 1, number),
                int number => raw.sqlite3_bind_int64(_statement, i + 1, number),
                byte[] blob => raw.sqlite3_bind_blob(_statement, i + 1, blob),
                var other => throw new ArgumentException($"Cannot bind a {other.GetType().Name}.", nameof(values)),
            });
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE) Check(result);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>The rowid of the row the last successful INSERT on this connection added.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    private void Check(int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), result, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
