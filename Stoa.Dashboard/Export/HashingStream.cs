using System.Security.Cryptography;

namespace Stoa.Dashboard.Export;

/// <summary>
/// A write-only pass-through that counts and hashes what goes through it. Synchronous writes (a
/// zip writer makes some) are held in a small buffer and sent by <see cref="DrainAsync"/>, because
/// Kestrel allows only asynchronous writes to a response.
/// </summary>
public sealed class HashingStream(Stream? inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly MemoryStream _pending = new();

    public long Pending => _pending.Length;

    /// <summary>Sends what synchronous writes left behind.</summary>
    public async ValueTask DrainAsync(CancellationToken ct = default)
    {
        if (_pending.Length == 0) return;
        if (inner is not null) await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), ct);
        _pending.SetLength(0);
    }

    public long BytesWritten { get; private set; }

    public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        BytesWritten += buffer.Length;
        if (inner is not null) _pending.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        _hash.AppendData(buffer.Span);
        BytesWritten += buffer.Length;
        if (inner is null) return;
        await DrainAsync(ct); // keep the order of bytes
        await inner.WriteAsync(buffer, ct);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush() { } // sync: nothing may reach the response here; DrainAsync sends
    public override async Task FlushAsync(CancellationToken ct)
    {
        await DrainAsync(ct);
        if (inner is not null) await inner.FlushAsync(ct);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => BytesWritten;
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _pending.Dispose();
        }
        base.Dispose(disposing);
    }
}
