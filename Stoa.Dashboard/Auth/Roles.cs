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
    /// <summary>One claim per consumer a client may see.</summary>
    public const string Consumer = "stoa:consumer";
    public const string AllTenants = "*";
}
