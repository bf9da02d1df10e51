using System.Buffers;
using System.Buffers.Text;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Ingest;

namespace Stoa.Dashboard.Retention;

/// <summary>What an archive file holds: rows, the seq range with the chain heads stored at both ends, size and SHA-256.</summary>
public sealed record ArchiveContents(long Rows, long FirstSeq, long LastSeq, byte[] FirstHead, byte[] LastHead, long Bytes, string Sha256);

/// <summary>One line of an archive file: an event's canonical form (without the newline) and its seq.</summary>
public readonly record struct ArchiveLine(long Seq, byte[] Canonical);

/// <summary>
/// The archive file format (<c>docs/retention.md</c>): one tenant's events of one kind and one UTC
/// day, oldest first (by time, then seq: the order an export reads), one canonical form
/// (<see cref="CanonicalEvent"/>) a line, gzip-compressed. <c>zcat file | sha256sum</c>-style
/// tools read it; every line hashes to the event's chain leaf exactly as it did in the store.
/// </summary>
public static class ArchiveFormat
{
    /// <summary>
    /// <c>{tenant}/{layer}/{yyyy-MM}/{yyyy-MM-dd}.{part}.ndjson.gz</c>, with forward slashes on every
    /// system. A tenant id's leading dots are written <c>%2E</c> (ids never hold <c>%</c>), so <c>..</c>
    /// is a folder like any other, not the one above.
    /// </summary>
    public static string RelativePath(string tenantId, string layer, long dayMs, int part)
    {
        var day = AuditTime.PrintDay(dayMs);
        var folder = tenantId.TrimStart('.');
        folder = string.Concat(Enumerable.Repeat("%2E", tenantId.Length - folder.Length)) + folder;
        return $"{folder}/{layer}/{day[..7]}/{day}.{part}.ndjson.gz";
    }

    /// <summary>
    /// Writes the rows to <paramref name="path"/> through a temporary file that is flushed to disk
    /// and then renamed: a crash leaves either the whole file or none (a leftover temporary file is
    /// overwritten by the next try). Returns null when there were no rows (and writes nothing).
    /// </summary>
    public static async Task<ArchiveContents?> WriteAsync(string path, IAsyncEnumerable<ChainedEvent> rows, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        long count = 0, firstSeq = long.MaxValue, lastSeq = 0;
        byte[]? firstHead = null, lastHead = null;
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
            {
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                await foreach (var row in rows.WithCancellation(ct))
                {
                    CanonicalEvent.Write(buffer, row.Event);
                    buffer.Write("\n"u8);
                    var seq = row.Event.Seq;
                    var head = row.Head ?? throw new InvalidOperationException($"Seq {seq} has no chain head: the chain must be complete before archiving.");
                    if (seq < firstSeq) (firstSeq, firstHead) = (seq, head);
                    if (seq > lastSeq) (lastSeq, lastHead) = (seq, head);
                    count++;
                    if (buffer.WrittenCount >= 60 * 1024)
                    {
                        await gzip.WriteAsync(buffer.WrittenMemory, ct);
                        buffer.ResetWrittenCount();
                    }
                }
                await gzip.WriteAsync(buffer.WrittenMemory, ct);
            }
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        if (count == 0)
        {
            File.Delete(temporary);
            return null;
        }
        var (bytes, sha256) = await HashAsync(temporary, ct);
        File.Move(temporary, path, overwrite: true);
        return new ArchiveContents(count, firstSeq, lastSeq, firstHead!, lastHead!, bytes, sha256);
    }

    /// <summary>Size and SHA-256 (lower-case hex) of a file.</summary>
    public static async Task<(long Bytes, string Sha256)> HashAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(file, ct);
        return (file.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>The file's lines in file order, streamed: one buffer of the decompressed text in memory at a time.</summary>
    public static async IAsyncEnumerable<ArchiveLine> ReadAsync(string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var reader = PipeReader.Create(gzip, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            var lines = new List<ArchiveLine>();
            while (TryReadLine(ref buffer, out var line)) lines.Add(Parse(line.ToArray()));
            if (result.IsCompleted && !buffer.IsEmpty) lines.Add(Parse(buffer.ToArray())); // a last line without its newline
            reader.AdvanceTo(result.IsCompleted ? buffer.End : buffer.Start, buffer.End);
            foreach (var line in lines) yield return line;
            if (result.IsCompleted) break;
        }
        await reader.CompleteAsync();
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static ArchiveLine Parse(byte[] canonical)
    {
        var prefix = "{\"seq\":"u8;
        if (!canonical.AsSpan().StartsWith(prefix) || !Utf8Parser.TryParse(canonical.AsSpan(prefix.Length), out long seq, out _))
            throw new InvalidDataException("An archive line does not start with its seq: the file is not a Stoa archive or is damaged.");
        return new ArchiveLine(seq, canonical);
    }

    /// <summary>The event a line holds, as the store held it (the parser that takes events in reads it back).</summary>
    public static AuditEvent ToEvent(string tenantId, ArchiveLine line)
    {
        var batch = EventParser.Parse(line.Canonical, ndjson: true, tenantId, long.MaxValue / 2);
        if (batch.Problems.Count > 0 || batch.Events.Count != 1)
            throw new InvalidDataException($"Archive line of seq {line.Seq} is not an event: {batch.Problems.FirstOrDefault()?.Message}");
        var e = batch.Events[0];
        e.Seq = line.Seq;
        return e;
    }
}
