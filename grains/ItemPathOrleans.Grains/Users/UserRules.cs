using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Users;

/// <summary>Field rules of the user object: each answers what is wrong, or null.</summary>
public static class UserRules
{
    public const int MaxEmailLength = 254;
    public const int MaxTimeZoneLength = 64;
    public static readonly string[] Languages = ["en", "fr"];

    /// <summary>The username rule, <see cref="UsernameRule"/>, named once for creation and login alike.</summary>
    public static string? CheckUsername(string? username) => UsernameRule.Problem(username);

    public static string? CheckEmail(string? email)
    {
        if (email is null) return null;
        if (email.Length > MaxEmailLength) return $"email must be at most {MaxEmailLength} characters";
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            return "email is not a valid address";
        if (!GrainKeys.TryNormalizeName(email, out _)) return "email contains characters that are not valid Unicode";
        return null;
    }

    public static string? CheckType(string? type) =>
        type is null || UserTypes.IsValid(type) ? null : "type must be \"user\" or \"application\"";

    public static string? CheckStatus(int? status) =>
        status is null || UserStatus.IsValid(status.Value) ? null : "status must be 0, 1, 2 or 3";

    public static string? CheckLanguage(string? language) =>
        language is null || Languages.Contains(language) ? null : "language must be \"en\" or \"fr\"";

    public static string? CheckTimeZone(string? timeZone)
    {
        if (timeZone is null) return null;
        if (timeZone.Length is 0 or > MaxTimeZoneLength || timeZone.Any(char.IsControl)) return "timeZone is not valid";
        return null;
    }

    public static string? FirstError(params string?[] errors) => errors.FirstOrDefault(e => e is not null);
}
