using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>Someone in the organisation's Entra directory, with the app roles assigned to them.</summary>
public sealed record DirectoryUser(string ObjectId, string Email, params string[] AppRoles)
{
    public static DirectoryUser New(string name, params string[] appRoles) => new(Guid.NewGuid().ToString(), $"{name}@contoso.example", appRoles);
}

/// <summary>
/// A local OpenID Connect authority on 127.0.0.1 standing in for Microsoft Entra ID, which cannot be
/// reached from here: the discovery document, the signing keys, an authorize endpoint that signs in
/// the user a test names (an id token posted back to the app, as Entra does), and access tokens for
/// the API. It is the one fake, at the edge; the app's authentication handlers are the real ones.
/// </summary>
public sealed class LocalAuthority : IAsyncDisposable
{
    public const string TenantId = "7a1c3f52-0d5e-4b8e-9a61-2f4c8d9e0b13";
    public const string ClientId = "4f9b2c8e-6a1d-4e3f-b7c5-9d0e1a2b3c4d";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "local-signing-key" };

    private LocalAuthority(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public string Instance => BaseUrl + "/";
    public string Issuer => $"{BaseUrl}/{TenantId}/v2.0";
    /// <summary>Who signs in at the next authorize request.</summary>
    public DirectoryUser? NextSignIn { get; set; }

    private static async Task<LocalAuthority> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var authority = new LocalAuthority(builder.Build());
        authority.Map();
        await authority._app.StartAsync();
        authority.BaseUrl = authority._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return authority;
    }

    /// <summary>Starts an authority and writes the app's settings for it, as an operator would in appsettings.json.</summary>
    public static async Task<LocalAuthority> StartForAsync(IDictionary<string, string?> appSettings)
    {
        var authority = await StartAsync();
        appSettings["AzureAd:Instance"] = authority.Instance;
        appSettings["AzureAd:TenantId"] = TenantId;
        appSettings["AzureAd:ClientId"] = ClientId;
        appSettings["AzureAd:ClientSecret"] = "local-test-secret";
        return authority;
    }

    private void Map()
    {
        _app.MapGet($"/{TenantId}/v2.0/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = $"{BaseUrl}/{TenantId}/oauth2/v2.0/authorize",
            ["token_endpoint"] = $"{BaseUrl}/{TenantId}/oauth2/v2.0/token",
            ["end_session_endpoint"] = $"{BaseUrl}/{TenantId}/oauth2/v2.0/logout",
            ["jwks_uri"] = $"{BaseUrl}/{TenantId}/discovery/v2.0/keys",
            ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
            ["response_types_supported"] = new[] { "code", "id_token", "code id_token" },
            ["subject_types_supported"] = new[] { "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
        }));
        _app.MapGet($"/{TenantId}/discovery/v2.0/keys", () =>
        {
            var rsa = _key.Rsa.ExportParameters(includePrivateParameters: false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", kid = _key.KeyId, n = Base64UrlEncoder.Encode(rsa.Modulus), e = Base64UrlEncoder.Encode(rsa.Exponent) } } });
        });
        // Entra signs the user in, then posts the id token back to the app (response_mode=form_post).
        _app.MapGet($"/{TenantId}/oauth2/v2.0/authorize", (HttpRequest request) =>
        {
            var query = request.Query;
            if (NextSignIn is not { } user || query["client_id"] != ClientId) return Results.BadRequest("unknown client or nobody to sign in");
            var idToken = Mint(user, nonce: query["nonce"]);
            var html = $"""
                <html><body onload="document.forms[0].submit()">
                <form method="post" action="{WebUtility.HtmlEncode(query["redirect_uri"])}">
                <input type="hidden" name="id_token" value="{idToken}" />
                <input type="hidden" name="state" value="{WebUtility.HtmlEncode(query["state"])}" />
                </form></body></html>
                """;
            return Results.Content(html, "text/html");
        });
    }

    /// <summary>
    /// A token as Entra issues it, valid for the app's test clock and for the real clock alike (the
    /// handlers read one or the other), unless <paramref name="expired"/>.
    /// </summary>
    /// <param name="nonce">For an id token (sign-in): the nonce of the app's request. Without it, an access token for the API.</param>
    public string Mint(DirectoryUser user, string audience = ClientId, string? issuer = null, bool expired = false, SecurityKey? signWith = null,
        string? nonce = null, bool withRoles = true, bool withScope = true)
    {
        var (early, late) = (Min(DateTime.UtcNow, StoaApp.Epoch.UtcDateTime), Max(DateTime.UtcNow, StoaApp.Epoch.UtcDateTime));
        var claims = new Dictionary<string, object>
        {
            ["oid"] = user.ObjectId, ["sub"] = user.ObjectId, ["tid"] = TenantId, ["ver"] = "2.0",
            ["preferred_username"] = user.Email, ["name"] = user.Email.Split('@')[0],
        };
        if (withRoles && user.AppRoles.Length > 0) claims["roles"] = user.AppRoles;
        if (nonce is not null) claims["nonce"] = nonce;
        else if (withScope) claims["scp"] = "access_as_user"; // the API's delegated scope, as in an access token
        var key = signWith ?? _key;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience, // v2.0 tokens name the app by its client id
            Claims = claims,
            IssuedAt = expired ? early.AddHours(-2) : early.AddMinutes(-5),
            NotBefore = expired ? early.AddHours(-2) : early.AddMinutes(-5),
            Expires = expired ? early.AddMinutes(-30) : late.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>A key of the same name that the authority never published: what a forged token is signed with.</summary>
    public static SecurityKey ForgedKey() => new RsaSecurityKey(RSA.Create(2048)) { KeyId = "local-signing-key" };

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
