using Stoa.Dashboard.Auth.Entra;

namespace Stoa.Dashboard.Auth;

/// <summary>
/// What every answer says to the browser about itself, and the refusal of cross-site requests that
/// ride on the dashboard's session cookie.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "stoa.csp-nonce";

    /// <summary>
    /// The dashboard's content policy: scripts from this origin only (and the one inline script
    /// Blazor writes, its import map, by a nonce fresh for every page), MudBlazor's inline styles,
    /// nothing framed, posted or loaded elsewhere.
    /// </summary>
    public static string ContentPolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The nonce of this response's content policy, for the page's inline import map.</summary>
    public static string? Nonce(HttpContext? http) => http?.Items[NonceKey] as string;

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        if (!http.Request.Path.StartsWithSegments("/v1"))
        {
            var nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)); // hex: nothing HTML would encode
            http.Items[NonceKey] = nonce;
            headers.ContentSecurityPolicy = ContentPolicy(nonce);
        }
        await next();
    });

    /// <summary>
    /// A request carried by the session cookie must come from the dashboard itself: a cross-site
    /// link or form could otherwise start an export (writing an audit entry with text of the
    /// attacker's choosing) or sign someone out. Browsers say where a request comes from in
    /// <c>Sec-Fetch-Site</c> (or, older ones, <c>Origin</c>); scripts sending a bearer token are not affected.
    /// </summary>
    public static IApplicationBuilder UseSameSiteSessions(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (RidesOnSession(http) && !IsSameSite(http.Request))
        {
            await Results.Problem(statusCode: 403, title: "Cross-site request refused",
                detail: "Requests made with the dashboard's session must come from the dashboard itself; scripts send a bearer token.")
                .ExecuteAsync(http);
            return;
        }
        await next();
    });

    private static bool RidesOnSession(HttpContext http) =>
        (http.Request.Path.StartsWithSegments("/v1") || http.Request.Path.StartsWithSegments("/auth/signout"))
        && http.Request.Headers.Authorization.Count == 0
        && (http.Request.Cookies.ContainsKey(SignInEndpoints.CookieName) || http.Request.Cookies.ContainsKey(EntraSignIn.CookieName));

    public static bool IsSameSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is "same-origin" or "none"; // "none": typed into the address bar, a bookmark
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
