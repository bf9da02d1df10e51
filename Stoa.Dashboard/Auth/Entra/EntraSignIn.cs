using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Identity.Web;

namespace Stoa.Dashboard.Auth.Entra;

/// <summary>
/// Sign-in with Microsoft Entra ID when an <c>AzureAd</c> section is configured, through
/// Microsoft.Identity.Web: OpenID Connect for people (then a cookie session of its own), and Entra
/// access tokens for the API and the hub. Who sees what still comes from Stoa: the app roles give
/// the role, the grants operators manage give tenants and consumers (see <see cref="EntraClaimsTransformation"/>).
/// Without the section, none of this is registered and the embedded token sign-in is all there is.
/// </summary>
public static class EntraSignIn
{
    public const string Section = "AzureAd";
    public const string Scheme = "Entra";
    public const string SessionScheme = "EntraSession";
    public const string BearerScheme = "EntraBearer";
    public const string CookieName = "stoa.entra";
    public const string SignInPath = "/auth/entra/signin";

    public static bool IsConfigured(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return !string.IsNullOrWhiteSpace(section["Instance"]) && !string.IsNullOrWhiteSpace(section["TenantId"])
            && !string.IsNullOrWhiteSpace(section["ClientId"]);
    }

    public static void AddEntraSignIn(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        authentication.AddMicrosoftIdentityWebApp(section, Scheme, SessionScheme);
        authentication.AddMicrosoftIdentityWebApi(section, BearerScheme);
        var services = authentication.Services;
        services.AddSingleton<EntraGrants>();
        services.AddTransient<IClaimsTransformation, EntraClaimsTransformation>();

        services.Configure<CookieAuthenticationOptions>(SessionScheme, options => SignInEndpoints.ConfigureSession(options, CookieName));

        // These run after Microsoft.Identity.Web's own configuration (which sets the authority and its
        // events) and before ASP.NET's checks. An event is one Func: each handler is chained after
        // what was there, never added with +=, which would drop all but the last handler's task.
        // - A local authority (tests, development) serves its metadata over plain HTTP; Entra itself never does.
        // - Stoa serves one organisation's directory (guests are invited into it), so a token's issuer must be
        //   exactly that directory's, as its metadata says: ASP.NET's own check. Microsoft.Identity.Web's
        //   issuer validator is for apps open to any directory (TenantId "common" or "organizations").
        var oneDirectory = section["TenantId"] is not ("common" or "organizations" or "consumers");
        services.Configure<OpenIdConnectOptions>(Scheme, options =>
        {
            options.RequireHttpsMetadata &= !IsLoopback(options.Authority);
            if (oneDirectory) options.TokenValidationParameters.IssuerValidator = null;
            var validated = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                await SignInRecord.SignedInAsync(context.HttpContext, context.Principal!);
            };
            var failed = options.Events.OnRemoteFailure;
            options.Events.OnRemoteFailure = async context =>
            {
                await failed(context);
                // A sign-in Entra refused or that did not validate: back to the sign-in page, which says so.
                context.HttpContext.RequestServices.GetRequiredService<ILogger<EntraUser>>().LogWarning(context.Failure, "An Entra sign-in failed");
                context.Response.Redirect("/signin?error=entra");
                context.HandleResponse();
            };
        });
        services.Configure<JwtBearerOptions>(BearerScheme, options =>
        {
            options.RequireHttpsMetadata &= !IsLoopback(options.Authority);
            if (oneDirectory) options.TokenValidationParameters.IssuerValidator = null;
            var failed = options.Events.OnAuthenticationFailed;
            options.Events.OnAuthenticationFailed = async context =>
            {
                await failed(context);
                SignInRecord.TokenRejected(context.HttpContext, context.Exception.GetType().Name);
            };
            // Microsoft.Identity.Web refuses a token with neither scp nor roles here, which raises no
            // OnAuthenticationFailed: it is a failed token all the same.
            var validated = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await validated(context);
                if (context.Result?.Failure is { } failure) SignInRecord.TokenRejected(context.HttpContext, failure.Message);
            };
            options.Events.OnChallenge = async context =>
            {
                // The same answer as for a bad Stoa token: a problem that says what to send.
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await Results.Problem(statusCode: 401, title: "Unauthorized",
                    detail: "The Entra access token did not validate (audience, issuer, lifetime, signature or app role). Ask for a token for this API.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }

    public static void MapEntraSignIn(this WebApplication app)
    {
        app.MapGet(SignInPath, (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = SignInEndpoints.LocalOnly(returnUrl) }, [Scheme])).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>An Entra access token (a JWT: three base64url parts) rather than a Stoa token.</summary>
    public static bool IsEntraToken(string authorization) =>
        authorization.StartsWith("Bearer eyJ", StringComparison.Ordinal) && authorization.Count(c => c == '.') == 2;

    private static bool IsLoopback(string? authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && (uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
}
