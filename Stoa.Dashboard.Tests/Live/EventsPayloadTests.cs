using System.Text.Json;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Live;

/// <summary>The hub's payload of a published batch: written once for every connection with the same filter, in the API's JSON.</summary>
public sealed class EventsPayloadTests
{
    private static readonly JsonSerializerOptions Hub = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }; // the hub's own

    [Fact]
    public void Connections_with_one_filter_share_one_payload_and_another_filter_gets_its_own_events()
    {
        var published = new List<AuditEvent> { Make.Request(StoaApp.Epoch, status: 200), Make.Request(StoaApp.Epoch, status: 503) };
        var all = EventsPayload.For(published, new LiveFilter());
        Assert.Same(all, EventsPayload.For(published, new LiveFilter())); // equal filters: the same bytes, serialised once
        var errors = EventsPayload.For(published, new LiveFilter(StatusClass: 5));
        Assert.NotSame(all, errors);
        Assert.NotSame(all, EventsPayload.For(published.ToList(), new LiveFilter())); // another batch: its own

        var sent = JsonDocument.Parse(JsonSerializer.Serialize(errors, Hub)).RootElement;
        var only = Assert.Single(sent.EnumerateArray());
        Assert.Equal(503, only.GetProperty("status_code").GetInt32());
        Assert.Equal(2, JsonDocument.Parse(JsonSerializer.Serialize(all, Hub)).RootElement.GetArrayLength());
        Assert.Equal(0, EventsPayload.For(published, new LiveFilter(StatusClass: 4)).Count);
    }
}
