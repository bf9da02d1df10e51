using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Retention;

namespace Stoa.Dashboard.Evidence;

/// <summary>What a bundle's manifest states about its query: the query as asked, and whether it is an operator's unfiltered one.</summary>
public sealed record BundleClaims(string Query, bool Complete);

/// <summary>
/// A download that proves itself: a ZIP streamed to the caller with the CSV and XLSX a person opens,
/// the same rows in canonical form (events.ndjson), the chain segment from the row before the first
/// to a signed checkpoint (chain.txt: every seq's leaf), the checkpoint and its signature, the public
/// keys, a VERIFY.txt, and the signed manifest last. Every file is read from the store as it is
/// written, one chunk in memory at a time; all reads stop at the last seq of the rows, so events
/// arriving meanwhile are in no file. docs/evidence.md is the format.
/// </summary>
public sealed class BundleWriter(IDbContextFactory<AuditDbContext> factory, ArchiveDirectory archive, Checkpoints checkpoints, SigningKeys keys,
    ILogger<BundleWriter> logger)
{
    public async Task<ExportOutcome> WriteAsync(Stream destination, AuditDbContext db, ExportHeader header, ExportRows rows,
        BundleClaims claims, ExportProgress progress, CancellationToken ct)
    {
        var tenantId = header.TenantId;
        var range = await rows.RangeAsync(db, ct);
        Checkpoint? checkpoint = null;
        byte[]? startHead = null;
        if (range.Count > 0)
        {
            // The first checkpoint at or after the last row; one is signed now when the rows are newer than the last.
            checkpoint = await Checkpoints.CoveringAsync(db, tenantId, range.Last, ct) ?? await checkpoints.SignAsync(tenantId, ct);
            startHead = await ChainReader.HeadAtAsync(factory, archive, tenantId, range.First - 1, ct)
                ?? throw new InvalidOperationException($"Seq {range.First - 1} of {tenantId} is missing from the store.");
        }
        // The context of a complete bundle holds the stretch's other events, archived ones too (late
        // arrivals archived with their day); past a bound of those, the bundle claims less instead.
        List<AuditEvent>? archivedContext = null;
        if (claims.Complete && checkpoint is not null)
        {
            var lines = await archive.LinesAsync(db, tenantId, range.First, checkpoint.Seq, MaxArchivedContext, ct);
            if (lines is null) claims = claims with { Complete = false };
            else archivedContext = lines.Select(l => ArchiveFormat.ToEvent(tenantId, l)).ToList();
        }
        var upTo = range.Count > 0 ? range.Last : 0;
        var columns = ExportColumns.Of(rows.Kind);
        var zipStream = new HashingStream(destination);
        var files = new List<BundleFile>();
        using (var zip = new ZipArchive(zipStream, ZipArchiveMode.Create, leaveOpen: true))
        {
            async Task Add(string name, Func<Stream, Task> write, CompressionLevel level = CompressionLevel.Fastest)
            {
                await using var entry = new EntryStream(zip.CreateEntry(name, level).Open(), zipStream);
                await write(entry);
                await entry.FlushAsync(ct);
                files.Add(new BundleFile(name, entry.Sha256Hex(), entry.Bytes));
            }

            await Add(BundleFiles.Csv, s => ExportStreamer.WriteAsync(s, ExportFormat.Csv, header,
                rows.InTimeOrder(db, true, upTo), columns, progress, ct));
            // An XLSX is a ZIP already: stored as it is.
            await Add(BundleFiles.Xlsx, s => ExportStreamer.WriteAsync(s, ExportFormat.Xlsx, header,
                rows.InTimeOrder(db, true, upTo), columns, new ExportProgress(), ct), CompressionLevel.NoCompression);
            await Add(BundleFiles.Canonical, s => WriteCanonicalAsync(s, rows.InSeqOrder(db, upTo), _ => true, ct));
            BundleChain? chain = null;
            if (checkpoint is not null)
            {
                var endHead = await WriteChainAndCheck(Add, tenantId, range.First, startHead!, checkpoint, ct);
                chain = new BundleChain(range.First - 1, HashChain.Hex(startHead!), checkpoint.Seq, endHead, checkpoint.KeyId);
                if (claims.Complete)
                    await Add(BundleFiles.Context, s => WriteCanonicalAsync(s,
                        BySeq(ChainReader.ReadAsync(factory, tenantId, range.First, checkpoint.Seq, ct).Select(c => c.Event), archivedContext!),
                        e => !(e.Kind == rows.Kind && header.Window.Contains(e.TimestampMs)), ct));
                await Add(BundleFiles.Checkpoint, s => s.WriteAsync(Encoding.UTF8.GetBytes(checkpoint.Statement), ct).AsTask());
                await Add(BundleFiles.CheckpointSignature, s => s.WriteAsync(checkpoint.Signature, ct).AsTask());
            }
            await Add(BundleFiles.Keys, s => JsonSerializer.SerializeAsync(s, keys.Published(), cancellationToken: ct));
            await Add(BundleFiles.Verify, s => s.WriteAsync(Encoding.UTF8.GetBytes(VerifyText), ct).AsTask());

            var signer = keys.Current.KeyId;
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new BundleManifest
            {
                TenantId = tenantId,
                Layer = header.Layer,
                From = header.Window.FromMs is { } from ? AuditTime.Print(from) : null,
                To = AuditTime.Print(header.Window.ToMs ?? header.ExportedAtMs),
                Query = claims.Query,
                Consumers = header.Consumers?.ToList(),
                ExportedAt = AuditTime.Print(header.ExportedAtMs),
                Rows = range.Count,
                SeqFirst = range.Count > 0 ? range.First : null,
                SeqLast = range.Count > 0 ? range.Last : null,
                Complete = claims.Complete,
                Chain = chain,
                Files = files,
                KeyId = signer,
            }, BundleManifest.Json);
            var signature = keys.Sign(manifest, signer);
            await Add(BundleFiles.Manifest, s => s.WriteAsync(manifest, ct).AsTask());
            await Add(BundleFiles.ManifestSignature, s => s.WriteAsync(signature, ct).AsTask());
        }
        await zipStream.DrainAsync(ct); // the central directory, written when the archive closed
        progress.Sent(range.Count, zipStream.BytesWritten);
        return new ExportOutcome(range.Count, zipStream.BytesWritten, zipStream.Sha256Hex());
    }

    /// <summary>Writes chain.txt and returns the head it ends at, which should be the checkpoint's (the store's chain is broken if not; the bundle then fails to verify, as it should).</summary>
    private async Task<string> WriteChainAndCheck(Func<string, Func<Stream, Task>, CompressionLevel, Task> add, string tenantId, long first,
        byte[] startHead, Checkpoint checkpoint, CancellationToken ct)
    {
        var head = startHead;
        await add(BundleFiles.Chain, async s =>
        {
            var line = new StringBuilder();
            await using var text = new StreamWriter(s, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            await text.WriteAsync($"start {first - 1} {HashChain.Hex(startHead)}\n");
            await foreach (var link in ChainReader.LinksAsync(factory, archive, tenantId, first, checkpoint.Seq, ct))
            {
                head = HashChain.Next(head, link.Leaf, link.Seq);
                line.Clear().Append(link.Seq).Append(' ').Append(HashChain.Hex(link.Leaf)).Append('\n');
                await text.WriteAsync(line, ct);
            }
        }, CompressionLevel.Fastest);
        if (!head.AsSpan().SequenceEqual(checkpoint.Head))
            logger.LogError("The stored chain of {Tenant} does not reach the checkpoint at seq {Seq}: run the chain check", tenantId, checkpoint.Seq);
        return HashChain.Hex(head);
    }

    /// <summary>Archived events a complete bundle's context takes at most.</summary>
    private const int MaxArchivedContext = 100_000;

    /// <summary>Hot events (in seq order) merged with archived ones (a list in seq order).</summary>
    private static async IAsyncEnumerable<AuditEvent> BySeq(IAsyncEnumerable<AuditEvent> hot, List<AuditEvent> archived)
    {
        var next = 0;
        await foreach (var e in hot)
        {
            for (; next < archived.Count && archived[next].Seq < e.Seq; next++) yield return archived[next];
            yield return e;
        }
        for (; next < archived.Count; next++) yield return archived[next];
    }

    private static async Task WriteCanonicalAsync(Stream destination, IAsyncEnumerable<AuditEvent> events, Func<AuditEvent, bool> include,
        CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        await foreach (var e in events.WithCancellation(ct))
        {
            if (!include(e)) continue;
            CanonicalEvent.Write(buffer, e);
            buffer.Write("\n"u8);
            if (buffer.WrittenCount < 60 * 1024) continue;
            await destination.WriteAsync(buffer.WrittenMemory, ct);
            buffer.ResetWrittenCount();
        }
        await destination.WriteAsync(buffer.WrittenMemory, ct);
    }

    /// <summary>
    /// A zip entry being written: what is written goes through the entry's deflater into the
    /// archive's buffer, which is sent on each async write once it holds 64 KB; the entry's own
    /// SHA-256 and size (before compression) are what the manifest lists.
    /// </summary>
    private sealed class EntryStream(Stream entry, HashingStream archive) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Bytes { get; private set; }
        public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            Bytes += buffer.Length;
            entry.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Write(buffer.Span);
            if (archive.Pending >= 64 * 1024) await archive.DrainAsync(ct);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken ct) => archive.DrainAsync(ct).AsTask();

        public override async ValueTask DisposeAsync()
        {
            entry.Dispose(); // writes the entry's sizes into the archive's buffer
            _hash.Dispose();
            await archive.DrainAsync();
            await base.DisposeAsync();
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private const string VerifyText = """
        This ZIP is an audit export from Stoa that proves itself.

          events.csv, events.xlsx   the records, to read
          events.ndjson             the same records in canonical form (one per line, in seq order)
          chain.txt                 the tenant's hash chain from the record before the first to a signed checkpoint
          context.ndjson            (an operator's unfiltered export only) the other events of that stretch of chain
          checkpoint.json/.sig      the checkpoint: the chain's head at a seq, signed by the Stoa instance
          keys.json                 the instance's public keys
          manifest.json/.sig        what was exported, the SHA-256 of every file, signed

        To check it, get the instance's public keys (https://<your Stoa>/.well-known/stoa/keys.json) or
        the key fingerprint your provider gave you, then run either

          verify-bundle.sh <this zip> --keys keys.json          (bash, unzip, openssl, sha256sum, jq, basenc)
          verify-bundle.sh <this zip> --fingerprint <sha256>
          dotnet Stoa.Dashboard.dll verify <this zip> --keys keys.json

        verify-bundle.sh is tools/verify-bundle.sh in the Stoa repository. It checks the signatures, every
        file's SHA-256, that every record is in the chain where its seq says, and that the chain reaches
        the signed checkpoint; it prints VERIFIED, or FAILED with the file or record and why.

        What it proves: the records are exactly as the store held them when the checkpoint was signed,
        none of them altered and, between the first and the last, none of the same stretch of chain left
        out unseen. What it does not: whoever holds the signing key can sign anything; events after the
        checkpoint are not covered; a client's export shows only its own records, and the other events
        of the stretch only as hashes (see docs/evidence.md in the Stoa repository).

        """;
}
