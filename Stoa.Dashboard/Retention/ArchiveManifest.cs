using System.Text.Json;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

/// <summary>
/// The manifest beside each archive file (<c>….ndjson.gz.manifest.json</c>) and its signature
/// (<c>….manifest.json.sig</c>, ECDSA P-256 DER by the key it names, as checkpoints are): what the
/// file holds, its SHA-256, the chain heads at both ends and the checkpoint that covers it. It
/// stays on disk when the file is purged, as the record of what was deleted.
/// </summary>
public static class ArchiveManifest
{
    public const string Format = "stoa-archive/1";

    public static string PathOf(string archivePath) => archivePath + ".manifest.json";
    public static string SignaturePathOf(string archivePath) => PathOf(archivePath) + ".sig";

    public static byte[] ToJson(ArchiveFile file, Checkpoint checkpoint, string keyId)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("tenant_id", file.TenantId);
            w.WriteString("layer", file.Layer);
            w.WriteString("day", AuditTime.PrintDay(file.DayMs));
            w.WriteNumber("part", file.Part);
            w.WriteString("file", Path.GetFileName(file.Path));
            w.WriteNumber("rows", file.Rows);
            w.WriteNumber("first_seq", file.FirstSeq);
            w.WriteNumber("last_seq", file.LastSeq);
            w.WriteString("first_head", HashChain.Hex(file.FirstHead));
            w.WriteString("last_head", HashChain.Hex(file.LastHead));
            w.WriteNumber("bytes", file.Bytes);
            w.WriteString("sha256", file.Sha256);
            w.WriteString("archived_at", AuditTime.Print(file.ArchivedAtMs));
            w.WriteString("checkpoint", checkpoint.Statement);
            w.WriteString("checkpoint_signature", Convert.ToBase64String(checkpoint.Signature));
            w.WriteString("key_id", keyId);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Writes the manifest and its signature beside the archive file, each through a temporary file.</summary>
    public static async Task WriteAsync(string archivePath, ArchiveFile file, Checkpoint checkpoint, SigningKeys keys, CancellationToken ct)
    {
        var keyId = keys.Current.KeyId;
        var json = ToJson(file, checkpoint, keyId);
        await WriteFileAsync(PathOf(archivePath), json, ct);
        await WriteFileAsync(SignaturePathOf(archivePath), keys.Sign(json, keyId), ct);
    }

    private static async Task WriteFileAsync(string path, byte[] bytes, CancellationToken ct)
    {
        var temporary = path + ".tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            await stream.WriteAsync(bytes, ct);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
