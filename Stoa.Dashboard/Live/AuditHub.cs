using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Live;

/// <summary>What a hub caller asks to receive, in the API's words (snake_case on the wire).</summary>
public sealed record HubFilter(string? ConsumerId = null, int? StatusClass = null, string? Method = null, string? PathPrefix = null,
    string? Kind = null)
{
    public LiveFilter ToLiveFilter()
    {
        EventKind? kind = Kind is null ? null
            : Enum.TryParse<EventKind>(Kind, ignoreCase: true, out var k) ? k
            : throw new HubException($"kind '{Kind}' is not one of request, security, business.");
        if (StatusClass is < 1 or > 5) throw new HubException("status_class must be 1 to 5 (2 for 2xx, 5 for 5xx).");
        if (ConsumerId is not null && !Identifiers.IsValid(ConsumerId)) throw new HubException($"consumer_id: use {Identifiers.Rule}.");
        return new LiveFilter(ConsumerId, StatusClass, Method?.ToUpperInvariant(), PathPrefix, kind);
    }
}

/// <summary>
/// <c>/hubs/audit</c>, for clients outside the app (the terminal tail, scripts). A caller subscribes
/// to a tenant with a filter; what it may receive is decided here from its token, never from what
/// it asks: a client gets its own consumers' events only. Events arrive as <c>events</c> messages,
/// each an array of events in the API's JSON.
/// </summary>
[Authorize(AuthenticationSchemes = StoaExtensions.AnyBearer)]
public sealed class AuditHub(HubSubscriptions subscriptions, TenantAccess access) : Hub
{
    public const string Path = "/hubs/audit";
    public const string EventsMessage = "events";

    public override Task OnConnectedAsync()
    {
        subscriptions.Connect(Context);
        return Task.CompletedTask;
    }

    public async Task Subscribe(string tenantId, HubFilter? filter)
    {
        if (!Identifiers.IsValid(tenantId)) throw new HubException($"tenant_id: use {Identifiers.Rule}.");
        var scope = await access.ReadScopeAsync(Context.User!, tenantId, Context.ConnectionAborted)
            ?? throw new HubException("This token may not read that tenant."); // the same words for a missing tenant
        subscriptions.Subscribe(Context.ConnectionId, scope, (filter ?? new HubFilter()).ToLiveFilter());
    }

    public Task Unsubscribe(string tenantId)
    {
        subscriptions.Unsubscribe(Context.ConnectionId, tenantId);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.Disconnect(Context.ConnectionId);
        return Task.CompletedTask;
    }
}
