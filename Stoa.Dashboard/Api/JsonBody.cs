using System.Text.Json;

namespace Stoa.Dashboard.Api;

/// <summary>Writes a JSON body straight to the response with a Utf8JsonWriter: no intermediate objects.</summary>
public sealed class JsonBody(Action<Utf8JsonWriter> write) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(http.Response.Body);
        write(writer);
        await writer.FlushAsync(http.RequestAborted);
    }
}
