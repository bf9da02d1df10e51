using System.Text.Json;

namespace Stoa.Dashboard.Api;

/// <summary>
/// Writes a JSON body straight to the response with a Utf8JsonWriter: no intermediate objects, and
/// sent as it is written (<see cref="SendIfFullAsync"/>), so a long answer never sits whole in memory.
/// </summary>
public sealed class JsonBody(Func<Utf8JsonWriter, CancellationToken, Task> write) : IResult
{
    private const int ChunkBytes = 32 * 1024;

    public JsonBody(Action<Utf8JsonWriter> write) : this((w, _) =>
    {
        write(w);
        return Task.CompletedTask;
    })
    {
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(http.Response.Body);
        await write(writer, http.RequestAborted);
        await writer.FlushAsync(http.RequestAborted);
    }

    /// <summary>Sends what the writer holds once it is a chunk's worth; call it between items of a long list.</summary>
    public static Task SendIfFullAsync(Utf8JsonWriter writer, CancellationToken ct) =>
        writer.BytesPending >= ChunkBytes ? writer.FlushAsync(ct) : Task.CompletedTask;
}
