using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stoa.Dashboard.Evidence;

/// <summary>The outcome of checking a bundle: verified (with what was checked), or the first failure: which file or record, and why.</summary>
public sealed record BundleVerdict(bool Verified, string Message, IReadOnlyList<string> Checked);

/// <summary>
/// Checks a bundle offline, as an auditor would with <c>tools/verify-bundle.sh</c>: the manifest's
/// signature by a trusted key, every file's SHA-256, the checkpoint's signature, every record's leaf
/// against the chain at its seq, every link of the chain up to the signed head, and, for a complete
/// bundle, that every other event of the segment lies outside the export's layer and window.
/// </summary>
public static class BundleVerifier
{
    /// <summary>
    /// <paramref name="trusted"/>: the keys to trust (keys.json from the instance), or null to
    /// take the bundle's own keys, then only those whose fingerprint is in
    /// <paramref name="fingerprints"/> when any are given.
    /// </summary>
    public static async Task<BundleVerdict> VerifyAsync(string path, KeyList? trusted, IReadOnlyCollection<string> fingerprints,
        CancellationToken ct = default)
    {
        var done = new List<string>();
        BundleVerdict Fail(string message) => new(false, message, done);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            byte[]? Read(string name)
            {
                var entry = zip.GetEntry(name);
                if (entry is null) return null;
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }

            var manifestBytes = Read(BundleFiles.Manifest);
            var manifestSignature = Read(BundleFiles.ManifestSignature);
            if (manifestBytes is null || manifestSignature is null) return Fail("manifest.json or manifest.sig is missing: this is not a Stoa bundle.");
            var manifest = JsonSerializer.Deserialize<BundleManifest>(manifestBytes, BundleManifest.Json);
            if (manifest is null || manifest.Format != BundleManifest.CurrentFormat)
                return Fail($"manifest.json: not a {BundleManifest.CurrentFormat} manifest.");

            // Which keys to trust.
            var pinned = trusted is not null || fingerprints.Count > 0;
            if (trusted is null)
            {
                var own = Read(BundleFiles.Keys) is { } keysBytes ? JsonSerializer.Deserialize<KeyList>(keysBytes) : null;
                var keys = (own?.Keys ?? []).Where(k => FingerprintOf(k) == k.Fingerprint)
                    .Where(k => fingerprints.Count == 0 || fingerprints.Contains(k.Fingerprint, StringComparer.OrdinalIgnoreCase)).ToList();
                trusted = new KeyList(keys);
            }
            var manifestKey = trusted.Find(manifest.KeyId);
            if (manifestKey is null) return Fail($"manifest.json is signed by key {manifest.KeyId}, which is not among the trusted keys.");
            if (!manifestKey.Verify(manifestBytes, manifestSignature))
                return Fail($"manifest.sig is not key {manifest.KeyId}'s signature of manifest.json: the manifest was changed.");
            done.Add($"manifest signed by {manifest.KeyId}" + (pinned ? "" : " (a key taken from the bundle itself: pin it with --keys or --fingerprint)"));

            // Every file as listed, and nothing else.
            foreach (var file in manifest.Files)
            {
                var entry = zip.GetEntry(file.Name);
                if (entry is null) return Fail($"{file.Name} is listed in the manifest but missing.");
                await using var stream = entry.Open();
                var hash = await SHA256.HashDataAsync(stream, ct);
                if (Convert.ToHexStringLower(hash) != file.Sha256 || entry.Length != file.Bytes)
                    return Fail($"{file.Name}: its SHA-256 is not the one in the signed manifest: the file was changed.");
            }
            var listed = manifest.Files.Select(f => f.Name).Append(BundleFiles.Manifest).Append(BundleFiles.ManifestSignature).ToHashSet();
            if (zip.Entries.FirstOrDefault(e => !listed.Contains(e.FullName)) is { } extra)
                return Fail($"{extra.FullName} is not listed in the signed manifest.");
            done.Add($"{manifest.Files.Count} files match their SHA-256");

            if (manifest.Rows == 0) return new(true, $"VERIFIED: no records of tenant {manifest.TenantId} in the window; the manifest is signed.", done);
            if (manifest.Chain is not { } chain) return Fail("manifest.json lists records but no chain.");

            // The checkpoint: signed by a trusted key, for this tenant, at the segment's end.
            var statementText = Encoding.UTF8.GetString(Read(BundleFiles.Checkpoint) ?? []);
            var statement = CheckpointStatement.Parse(statementText);
            if (statement is null) return Fail("checkpoint.json is missing or not a checkpoint.");
            var checkpointKey = trusted.Find(statement.KeyId);
            if (checkpointKey is null) return Fail($"checkpoint.json is signed by key {statement.KeyId}, which is not among the trusted keys.");
            if (!checkpointKey.Verify(Encoding.UTF8.GetBytes(statementText), Read(BundleFiles.CheckpointSignature) ?? []))
                return Fail($"checkpoint.sig is not key {statement.KeyId}'s signature of checkpoint.json.");
            if (statement.TenantId != manifest.TenantId || statement.Seq != chain.EndSeq || statement.Head != chain.EndHead)
                return Fail("checkpoint.json is not the checkpoint the manifest names (tenant, seq or head differ).");
            done.Add($"checkpoint at seq {statement.Seq} signed {AuditTime.Print(statement.TimeMs)} by {statement.KeyId}");

            var failure = await WalkChainAsync(zip, manifest, chain, ct);
            if (failure is not null) return Fail(failure);
            done.Add($"{manifest.Rows} records are in the chain at their seq; {chain.EndSeq - chain.StartSeq} links reach the signed head");
            if (manifest.Complete) done.Add("every other event of the segment is outside the layer and window");
            return new(true, $"VERIFIED: {manifest.Rows} {manifest.Layer} records of tenant {manifest.TenantId}, " +
                $"{manifest.From ?? "the first event"} to {manifest.To}, seq {manifest.SeqFirst}–{manifest.SeqLast}" +
                (manifest.Complete ? ", complete" : "") + (pinned ? "." : " (keys not pinned)."), done);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException)
        {
            return Fail($"The bundle cannot be read: {e.Message}");
        }
    }

    /// <summary>chain.txt line by line, events.ndjson (and context.ndjson) beside it, all in seq order.</summary>
    private static async Task<string?> WalkChainAsync(ZipArchive zip, BundleManifest manifest, BundleChain chain, CancellationToken ct)
    {
        using var chainText = Lines(zip, BundleFiles.Chain);
        using var records = Lines(zip, BundleFiles.Canonical);
        using var context = manifest.Complete ? Lines(zip, BundleFiles.Context) : null;
        if (chainText is null || records is null || (manifest.Complete && context is null))
            return "chain.txt, events.ndjson or context.ndjson is missing.";

        var start = (await chainText.ReadLineAsync(ct))?.Split(' ');
        if (start is not ["start", var startSeq, var startHead] || startSeq != chain.StartSeq.ToString() || startHead != chain.StartHead)
            return "chain.txt: its first line is not the start the manifest names.";
        var head = Convert.FromHexString(startHead);
        var expected = chain.StartSeq + 1;
        var record = await NextAsync(records, ct);
        var other = context is null ? null : await NextAsync(context, ct);
        long rows = 0;
        var window = new TimeWindow(manifest.From is { } f && AuditTime.TryParse(f, out var from) ? from : null,
            AuditTime.TryParse(manifest.To, out var to) ? to : null);
        while (await chainText.ReadLineAsync(ct) is { } line)
        {
            if (line.Split(' ') is not [var seqText, var leafHex] || !long.TryParse(seqText, out var seq) || leafHex.Length != 64)
                return $"chain.txt: line for seq {expected} is not '<seq> <leaf>'.";
            if (seq != expected) return $"chain.txt: seq {expected} is missing (the next line is seq {seq}).";
            var leaf = Convert.FromHexString(leafHex);
            if (record is { } r && r.Seq == seq)
            {
                if (!r.Leaf.AsSpan().SequenceEqual(leaf))
                    return $"events.ndjson record seq {seq}: its hash is not the chain's leaf at seq {seq}: the record was altered.";
                rows++;
                record = await NextAsync(records, ct);
            }
            else if (other is { } o && o.Seq == seq)
            {
                if (!o.Leaf.AsSpan().SequenceEqual(leaf))
                    return $"context.ndjson event seq {seq}: its hash is not the chain's leaf at seq {seq}.";
                if (o.Layer == manifest.Layer && window.Contains(o.TimestampMs))
                    return $"context.ndjson event seq {seq} is a {manifest.Layer} event inside the window, but not among the records: the export is incomplete.";
                other = await NextAsync(context!, ct);
            }
            else if (manifest.Complete)
                return $"chain.txt seq {seq} is neither a record nor in context.ndjson: the bundle does not show it is outside the window.";
            head = HashChain.Next(head, leaf, seq);
            expected++;
        }
        if (record is { } left) return $"events.ndjson record seq {left.Seq} is not in the chain segment (or the records are out of seq order).";
        if (other is { } stray) return $"context.ndjson event seq {stray.Seq} is not in the chain segment.";
        if (expected - 1 != chain.EndSeq || HashChain.Hex(head) != chain.EndHead)
            return $"chain.txt does not reach the signed head at seq {chain.EndSeq}: the chain was altered.";
        if (rows != manifest.Rows) return $"events.ndjson holds {rows} records in the chain; the manifest says {manifest.Rows}.";
        return null;
    }

    private sealed record CanonicalLine(long Seq, byte[] Leaf, string Layer, long TimestampMs);

    private static async Task<CanonicalLine?> NextAsync(StreamReader lines, CancellationToken ct)
    {
        if (await lines.ReadLineAsync(ct) is not { } line) return null;
        var bytes = Encoding.UTF8.GetBytes(line);
        using var json = JsonDocument.Parse(bytes);
        var root = json.RootElement;
        var layer = root.GetProperty("event_type").GetString() switch
        {
            AuditVocabulary.RequestEventType => "requests",
            AuditVocabulary.BusinessEventType => "business",
            _ => "security",
        };
        AuditTime.TryParse(root.GetProperty("timestamp").GetString(), out var timestamp);
        return new CanonicalLine(root.GetProperty("seq").GetInt64(), HashChain.Leaf(bytes), layer, timestamp);
    }

    private static StreamReader? Lines(ZipArchive zip, string name) =>
        zip.GetEntry(name) is { } entry ? new StreamReader(entry.Open(), new UTF8Encoding(false, throwOnInvalidBytes: true)) : null;

    private static string FingerprintOf(PublicKey key)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.PublicKeyPem);
        return PublicKey.FingerprintOf(ecdsa);
    }
}
