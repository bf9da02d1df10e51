using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stoa.Dashboard.Evidence;

/// <summary>
/// <c>manifest.json</c> of a bundle, signed as written (<c>manifest.sig</c>): what was exported, by which
/// query, which seq numbers its rows span, every file's SHA-256, the chain segment's two ends and the
/// checkpoint that covers it. docs/evidence.md describes each field.
/// </summary>
public sealed record BundleManifest
{
    public const string CurrentFormat = "stoa-bundle/1";

    public string Format { get; init; } = CurrentFormat;
    public required string TenantId { get; init; }
    public required string Layer { get; init; }
    public string? From { get; init; }
    public required string To { get; init; }
    public required string Query { get; init; }
    /// <summary>A client's consumers (its bundle holds only their events); null for an operator's.</summary>
    public IReadOnlyList<string>? Consumers { get; init; }
    public required string ExportedAt { get; init; }
    public long Rows { get; init; }
    public long? SeqFirst { get; init; }
    public long? SeqLast { get; init; }
    /// <summary>True for an operator's unfiltered bundle: every event of the chain segment that is not a row is in context.ndjson, to show it is outside the window.</summary>
    public bool Complete { get; init; }
    public int CanonicalVersion { get; init; } = CanonicalEvent.Version;
    public BundleChain? Chain { get; init; }
    public required IReadOnlyList<BundleFile> Files { get; init; }
    /// <summary>The key that signed this manifest.</summary>
    public required string KeyId { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file, not HTML: '&' stays '&'
    };
}

/// <summary>The chain segment in chain.txt: the head before its first seq, and the checkpoint that signs its last.</summary>
public sealed record BundleChain(long StartSeq, string StartHead, long EndSeq, string EndHead, string CheckpointKeyId);

public sealed record BundleFile(string Name, string Sha256, long Bytes);

/// <summary>The names of a bundle's files.</summary>
public static class BundleFiles
{
    public const string Csv = "events.csv";
    public const string Xlsx = "events.xlsx";
    public const string Canonical = "events.ndjson";
    public const string Context = "context.ndjson";
    public const string Chain = "chain.txt";
    public const string Checkpoint = "checkpoint.json";
    public const string CheckpointSignature = "checkpoint.sig";
    public const string Keys = "keys.json";
    public const string Verify = "VERIFY.txt";
    public const string Manifest = "manifest.json";
    public const string ManifestSignature = "manifest.sig";
}
