using System.Security.Claims;
using Stoa.Dashboard.Ingest;

namespace Stoa.Dashboard.Auth.Entra;

/// <summary>
/// Entra sign-ins, sign-outs and rejected tokens as security events of the tenants concerned: the
/// tenants a user is granted, or the tenant a rejected API call was for. With no tenant concerned
/// (a user nobody granted anything yet) there is only the log, so failed calls cannot create tenants.
/// </summary>
public static class SignInRecord
{
    public static async Task SignedInAsync(HttpContext http, ClaimsPrincipal principal)
    {
        if (EntraUser.From(principal) is not { } user) return;
        var grants = await http.RequestServices.GetRequiredService<EntraGrants>().ForUserAsync(user, http.RequestAborted);
        var actions = http.RequestServices.GetRequiredService<AdminActions>();
        var actor = user.Email ?? user.ObjectId;
        http.RequestServices.GetRequiredService<Operations.StoaMetrics>().SignIn("entra", user.Role is not null && grants.Count > 0);
        if (user.Role is null || grants.Count == 0)
        {
            http.RequestServices.GetRequiredService<ILogger<EntraUser>>().LogWarning(
                "Entra user {ObjectId} ({Email}) signed in without {Missing}: shown the ask-your-operator page",
                user.ObjectId, user.Email, user.Role is null ? "a Stoa app role" : "any grant");
        }
        foreach (var tenant in grants.Select(g => g.TenantId).Distinct())
            await actions.RecordAsync(tenant, actor, $"entra_user:{user.ObjectId}", new { action = "entra_sign_in", role = user.Role ?? "none" },
                succeeded: user.Role is not null, eventType: user.Role is null ? "auth_failed" : "admin_action");
    }

    public static async Task SignedOutAsync(HttpContext http)
    {
        if (http.User.FindFirstValue(StoaClaims.EntraObjectId) is not { } objectId) return;
        var actions = http.RequestServices.GetRequiredService<AdminActions>();
        foreach (var tenant in http.User.FindAll(StoaClaims.Tenant).Select(c => c.Value).Distinct())
            await actions.RecordAsync(tenant, http.User.Identity?.Name ?? objectId, $"entra_user:{objectId}", new { action = "entra_sign_out" });
    }

    /// <summary>An Entra access token that did not validate: counted and recorded with the other failed tokens.</summary>
    public static void TokenRejected(HttpContext http, string reason) =>
        http.RequestServices.GetRequiredService<FailedAuthentications>().Failed(http, "entra_token", reason);
}
