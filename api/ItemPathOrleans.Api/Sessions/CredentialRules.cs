using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>The contract's limits of a login's username and password, for both front doors (the ItemPath login and the OAuth password grant).</summary>
public static class CredentialRules
{
    /// <summary>A 400's message naming the limit; null when within them.</summary>
    public static string? Problem(string username, string password)
    {
        if (username.Length is 0 or > FieldLimits.MaxUsernameLength) return UsernameRule.LengthProblem;
        if (password.Length is 0 or > FieldLimits.MaxPasswordLength) return FieldLimits.PasswordLengthProblem;
        return null;
    }
}
