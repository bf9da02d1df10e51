using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stoa.Dashboard.Evidence;

/// <summary>
/// The tenant's hash chain over the canonical form of its events, in seq order
/// (<c>docs/evidence.md</c>):
/// <c>leaf(n) = SHA-256(0x00 ‖ canonical(n))</c>,
/// <c>head(n) = SHA-256(0x01 ‖ head(n−1) ‖ leaf(n) ‖ seq(n) as 8 bytes big-endian)</c>,
/// <c>head(0)</c> = 32 zero bytes. Changing, removing or reordering any event changes every head after it.
/// </summary>
public static class HashChain
{
    public const int HashBytes = 32;

    /// <summary>The column each event row keeps its head in (its chain head after it).</summary>
    public const string Column = "chain_head";

    /// <summary>The EF shadow property behind <see cref="Column"/>: the head is the store's, not the event's.</summary>
    public const string Property = "ChainHead";

    /// <summary>The head before the first event.</summary>
    public static byte[] Genesis => new byte[HashBytes];

    public static byte[] Leaf(ReadOnlySpan<byte> canonical)
    {
        var input = ArrayPool<byte>.Shared.Rent(canonical.Length + 1);
        try
        {
            input[0] = 0x00;
            canonical.CopyTo(input.AsSpan(1));
            return SHA256.HashData(input.AsSpan(0, canonical.Length + 1));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    /// <summary>The leaf of an event as it is stored (its seq included).</summary>
    public static byte[] Leaf(AuditEvent e) => Leaf(e.Seq, CanonicalEvent.AfterSeq(e));

    /// <summary>The leaf of the event with this seq whose canonical form goes on with <paramref name="afterSeq"/> (<see cref="CanonicalEvent.AfterSeq"/>).</summary>
    public static byte[] Leaf(long seq, ReadOnlySpan<byte> afterSeq)
    {
        var buffer = new ArrayBufferWriter<byte>(afterSeq.Length + 32);
        buffer.Write([(byte)0x00]);
        CanonicalEvent.WriteSeq(buffer, seq);
        buffer.Write(afterSeq);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    public static byte[] Next(ReadOnlySpan<byte> head, ReadOnlySpan<byte> leaf, long seq)
    {
        Span<byte> input = stackalloc byte[1 + HashBytes + HashBytes + 8];
        input[0] = 0x01;
        head.CopyTo(input[1..]);
        leaf.CopyTo(input[(1 + HashBytes)..]);
        BinaryPrimitives.WriteInt64BigEndian(input[(1 + 2 * HashBytes)..], seq);
        return SHA256.HashData(input);
    }

    public static string Hex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);
}
