using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Stoa.Dashboard.Auth;

/// <summary>The embedded sign-in: a token typed into the sign-in page, or a one-time link; a cookie session after.</summary>
public static class SignInEndpoints
{
    public const string CookieName = "stoa.session";

    public static void AddDashboardSignIn(this AuthenticationBuilder authentication)
    {
        authentication.AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, options =>
        {
            ConfigureSession(options, CookieName);
            // A revoked or expired token ends the session built on it.
            options.Events.OnValidatePrincipal = async context =>
            {
                var tokenId = context.Principal?.FindFirst(StoaClaims.TokenId)?.Value;
                var tokens = context.HttpContext.RequestServices.GetRequiredService<TokenService>();
                if (tokenId is null || await tokens.FindActiveAsync(tokenId, context.HttpContext.RequestAborted) is null)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
    }

    /// <summary>A dashboard session, however it began (a Stoa token or Microsoft Entra ID): its cookie and lifetime.</summary>
    public static void ConfigureSession(CookieAuthenticationOptions options, string cookieName)
    {
        options.LoginPath = "/signin";
        options.Cookie.Name = cookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.Events.OnRedirectToLogin = RedirectPagesOnly;
    }

    /// <summary>The API answers a stale session as it answers a bad token, not with a redirect to a page.</summary>
    private static Task RedirectPagesOnly(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1")) context.Response.Redirect(context.RedirectUri);
        else context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    public static void MapDashboardSignIn(this WebApplication app)
    {
        app.MapPost("/auth/signin", async (HttpContext http, [FromForm] string? token, [FromForm] string? returnUrl, TokenService tokens,
            Operations.StoaMetrics metrics) =>
        {
            var found = string.IsNullOrWhiteSpace(token) ? null : await tokens.AuthenticateAsync(token.Trim(), http.RequestAborted);
            metrics.SignIn("token", found is not null);
            if (found is null) return Results.Redirect($"/signin?error=token&returnUrl={Uri.EscapeDataString(LocalOnly(returnUrl))}");
            await SignInAsync(http, found);
            return Results.Redirect(LocalOnly(returnUrl));
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet(SignInLinks.Path, async (HttpContext http, string? code, SignInLinks links, Operations.StoaMetrics metrics) =>
        {
            var token = string.IsNullOrWhiteSpace(code) ? null : await links.RedeemAsync(code, http.RequestAborted);
            metrics.SignIn("link", token is not null);
            if (token is null) return Results.Redirect("/signin?error=link");
            await SignInAsync(http, token);
            // A client's link lands on its exports, what it was sent for; an operator's on triage.
            return Results.Redirect(token.Role == Roles.Client ? $"/export?tenant={token.Tenants}" : "/");
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/auth/signout", async (HttpContext http, IAuthenticationSchemeProvider schemes) =>
        {
            await Entra.SignInRecord.SignedOutAsync(http);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (await schemes.GetSchemeAsync(Entra.EntraSignIn.SessionScheme) is not null)
                await http.SignOutAsync(Entra.EntraSignIn.SessionScheme);
            return Results.Redirect("/signin");
        }).AllowAnonymous().ExcludeFromDescription();
    }

    private static Task SignInAsync(HttpContext http, Storage.ApiToken token) => http.SignInAsync(
        CookieAuthenticationDefaults.AuthenticationScheme, TokenPrincipal.Create(token, CookieAuthenticationDefaults.AuthenticationScheme));

    /// <summary>
    /// Only a path on this site: a sign-in must never redirect elsewhere. ASP.NET's local-URL rule
    /// (a leading '/', not '//' or '/\\'), stricter: no control character and no backslash anywhere,
    /// since browsers drop tabs and line breaks from URLs and read '\\' as '/' (<c>/\t/evil.example</c>
    /// is <c>//evil.example</c> to them).
    /// </summary>
    public static string LocalOnly(string? url) =>
        url is ['/', ..] && !url.StartsWith("//") && url.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0 && !url.Contains('\\') && !url.Contains('\u007f')
            ? url
            : "/";
}
