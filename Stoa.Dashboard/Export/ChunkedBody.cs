using System.Security.Cryptography;

namespace Stoa.Dashboard.Export;

/// <summary>
/// Writers fill <see cref="Buffer"/> synchronously; every ~64 KB it is sent to the response
/// asynchronously (Kestrel forbids synchronous writes) and hashed, so an export of any size holds
/// one chunk in memory and ends with the SHA-256 of everything sent.
/// </summary>
public sealed class ChunkedBody(Stream destination, ExportProgress progress) : IDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public MemoryStream Buffer { get; } = new(ChunkBytes * 2);
    public long BytesSent { get; private set; }

    public Task SendIfFullAsync(CancellationToken ct) => Buffer.Length >= ChunkBytes ? SendAsync(ct) : Task.CompletedTask;

    public async Task SendAsync(CancellationToken ct)
    {
        if (Buffer.Length == 0) return;
        var bytes = Buffer.GetBuffer().AsMemory(0, (int)Buffer.Length);
        _hash.AppendData(bytes.Span);
        await destination.WriteAsync(bytes, ct);
        BytesSent += bytes.Length;
        Buffer.SetLength(0);
        progress.Sent(progress.RowsWritten, BytesSent);
    }

    public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose()
    {
        _hash.Dispose();
        Buffer.Dispose();
    }
}

/// <summary>
/// How far an export got: rows written to the buffer, and the rows and bytes that have left for the
/// client. An export cut short is recorded with what was actually sent.
/// </summary>
public sealed class ExportProgress
{
    public long RowsWritten { get; set; }
    public long RowsSent { get; private set; }
    public long BytesSent { get; private set; }

    public void Sent(long rows, long bytes) => (RowsSent, BytesSent) = (rows, bytes);
}
