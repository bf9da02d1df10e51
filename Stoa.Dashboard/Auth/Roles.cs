namespace Stoa.Dashboard.Auth;

/// <summary>The three roles of the contract.</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string Client = "client";
    public const string Ingest = "ingest";

    public static readonly string[] All = [Operator, Client, Ingest];
}

/// <summary>Claim types that carry a caller's grants.</summary>
public static class StoaClaims
{
    public const string TokenId = "stoa:token_id";
    /// <summary>One claim per tenant granted; the value <c>*</c> grants every tenant.</summary>
    public const string Tenant = "stoa:tenant";
    /// <summary>One claim per consumer a client may see, in every tenant it is granted.</summary>
    public const string Consumer = "stoa:consumer";
    /// <summary>One claim per consumer a client may see in one tenant only: <c>"{tenant} {consumer}"</c> (ids hold no space).</summary>
    public const string ConsumerIn = "stoa:consumer_in";
    /// <summary>The Entra user's object id and email, for "ask your operator" and the grants list.</summary>
    public const string EntraObjectId = "stoa:entra_oid";
    public const string EntraEmail = "stoa:entra_email";
    /// <summary>When an Entra access token expires (Unix seconds): a hub connection made with it closes then.</summary>
    public const string ExpiresAt = "stoa:expires_at";
    public const string AllTenants = "*";
}
