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
        var (filter, problem) = LiveFilter.Read(ConsumerId, StatusClass?.ToString(System.Globalization.CultureInfo.InvariantCulture), Method, PathPrefix, Kind);
        return filter ?? throw new HubException(problem);
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
