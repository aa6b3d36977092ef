using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Passwords;

/// <summary>
/// The tenant's password rules: a minimum length, at most 1024 characters, not the username,
/// not one of the most common passwords. Answers the rule that failed, or null.
/// </summary>
public static class PasswordPolicy
{
    public const int MaxLength = 1024;

    public static string? Check(string password, string username, TenantSettings settings)
    {
        if (password.Length < settings.PasswordMinLength)
            return $"Password must be at least {settings.PasswordMinLength} characters";
        if (password.Length > MaxLength)
            return $"Password must be at most {MaxLength} characters";
        if (GrainKeys.TryNormalizeName(password, out var p) && GrainKeys.TryNormalizeName(username, out var u) ? p == u : string.Equals(password, username, StringComparison.OrdinalIgnoreCase))
            return "Password must not equal the username";
        if (CommonPasswords.Contains(password))
            return "Password is too common";
        return null;
    }
}
