namespace Stoa.Dashboard.Live;

public static class HubTokenFromQuery
{
    /// <summary>
    /// Browsers and WebSocket clients cannot set headers, so SignalR sends the bearer token as
    /// <c>access_token</c> in the query. For the hub only, it is moved into the Authorization header
    /// and taken out of the query string, so nothing after this point (routing, SignalR, logs) sees it.
    /// </summary>
    public static IApplicationBuilder UseHubTokenFromQuery(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/hubs") && http.Request.Query.TryGetValue("access_token", out var token))
        {
            if (http.Request.Headers.Authorization.Count == 0) http.Request.Headers.Authorization = $"Bearer {token}";
            var rest = http.Request.Query.Where(q => q.Key != "access_token").ToDictionary(q => q.Key, q => q.Value);
            http.Request.QueryString = QueryString.Create(rest);
        }
        await next(http);
    });
}
