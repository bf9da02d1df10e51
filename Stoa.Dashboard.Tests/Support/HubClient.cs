using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Live;

namespace Stoa.Dashboard.Tests.Support;

public static class HubClient
{
    /// <summary>A real SignalR client of the server at <paramref name="baseUri"/>, over WebSockets; every event it receives lands in the returned channel.</summary>
    /// <param name="tokenInQuery">Send the token as <c>access_token</c> in the URL, as a browser's WebSocket must.</param>
    public static async Task<(HubConnection Connection, ChannelReader<JsonElement> Events)> ConnectAsync(Uri baseUri, string secret, bool tokenInQuery = false)
    {
        var events = Channel.CreateUnbounded<JsonElement>();
        var url = new Uri(baseUri, AuditHub.Path + (tokenInQuery ? $"?access_token={Uri.EscapeDataString(secret)}" : ""));
        var connection = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                if (!tokenInQuery) o.AccessTokenProvider = () => Task.FromResult<string?>(secret);
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .Build();
        connection.On<JsonElement>(AuditHub.EventsMessage, batch =>
        {
            foreach (var e in batch.EnumerateArray()) events.Writer.TryWrite(e.Clone());
        });
        await connection.StartAsync();
        return (connection, events.Reader);
    }
}
