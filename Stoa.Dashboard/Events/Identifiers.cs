using System.Text.RegularExpressions;

namespace Stoa.Dashboard.Events;

/// <summary>The contract's identifier rule for tenant, consumer and API ids.</summary>
public static partial class Identifiers
{
    public const string Rule = "1-64 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";

    /// <summary>The rule as a regular expression (JSON Schema's dialect: <c>$</c> ends the text).</summary>
    public const string Pattern = @"^[A-Za-z0-9._:\-]{1,64}$";

    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]{1,64}\z")] // \z, not $: $ also matches before a final newline
    private static partial Regex IdPattern();
}

/// <summary>The vocabularies of the contract.</summary>
public static class AuditVocabulary
{
    public const string RequestEventType = "api_request";
    public const string BusinessEventType = "business_audit";

    /// <summary>The security event Stoa writes when an alert rule fires (Alerts/); a gateway cannot send it.</summary>
    public const string AlertEventType = "alert_fired";

    public static readonly string[] SecurityEventTypes =
        ["auth_failed", "rate_limit_exceeded", "policy_applied", "key_rotated", "key_revoked", "consumer_suspended", "admin_action", AlertEventType];

    public static readonly string[] Outcomes = ["success", "failure", "blocked"];

    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
}
