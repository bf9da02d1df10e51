using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Stoa.Dashboard.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer stoa_…</c> against the token store. A missing or unknown
/// token is a 401 with <c>WWW-Authenticate: Bearer</c> and a problem body that says what to send.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    TokenService tokens, FailedAuthentications failures) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = ReadToken();
        if (secret is null) return AuthenticateResult.NoResult();

        var token = await tokens.AuthenticateAsync(secret, Context.RequestAborted);
        if (token is null)
        {
            failures.Failed(Context, "api_token", "unknown, revoked or expired");
            return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
        }

        var principal = TokenPrincipal.Create(token, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private string? ReadToken()
    {
        string header = Request.Headers.Authorization.ToString();
        // (A hub's access_token was moved here from the query by UseHubTokenFromQuery.)
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failed = (await HandleAuthenticateOnceSafeAsync()).Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        await Results.Problem(
            statusCode: 401,
            title: "Unauthorized",
            detail: failed
                ? "The bearer token is unknown, revoked or expired. Ask an operator for a new one (tokens create)."
                : "Send 'Authorization: Bearer <token>'. Tokens are issued with 'tokens create'.")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Forbidden", detail: "This token may not do that.").ExecuteAsync(Context);
    }
}
