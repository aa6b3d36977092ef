using System.Globalization;
using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// What a username may be: the one rule of user creation (a tenant's first admin too), of a
/// change of name, and of every password login. 1 to <see cref="MaxLength"/> characters; no
/// control characters (C0, DEL, C1), line or paragraph separators, or bidirectional formatting
/// characters; no whitespace at either end; text that Unicode can normalize. No user can have
/// another name, so a login with one is refused as an unknown user's before it becomes a grain
/// key, a database parameter (PostgreSQL refuses NUL) or a log line.
/// </summary>
public static class UsernameRule
{
    public const int MaxLength = 128;
    public static readonly string LengthProblem = $"username must be 1 to {MaxLength} characters";
    public const string CharactersProblem = "username must not contain control characters, line separators or bidirectional formatting characters";

    /// <summary>What is wrong with a username, naming the part of the rule it breaks; null when nothing.</summary>
    public static string? Problem(string? username)
    {
        if (string.IsNullOrEmpty(username) || username.Length > MaxLength) return LengthProblem;
        if (!HasAllowedCharacters(username)) return CharactersProblem;
        if (username.Trim().Length != username.Length) return "username must not start or end with whitespace";
        if (!GrainKeys.TryNormalizeName(username, out _)) return "username contains characters that are not valid Unicode";
        return null;
    }

    /// <summary>False when the text holds a character no username may hold (a name, or a prefix of one).</summary>
    public static bool HasAllowedCharacters(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || IsSeparatorOrBidiFormatting(c)) return false;
        }
        return true;
    }

    /// <summary>Line and paragraph separators break lines like a newline; bidirectional formatting reorders what a name shows.</summary>
    private static bool IsSeparatorOrBidiFormatting(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
