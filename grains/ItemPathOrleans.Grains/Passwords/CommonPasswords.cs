using System.Collections.Frozen;

namespace ItemPathOrleans.Grains.Passwords;

/// <summary>The most common passwords (from public breach statistics) of at least 8 characters, compared case-insensitively.</summary>
internal static class CommonPasswords
{
    private static readonly FrozenSet<string> Set = new[]
    {
        "12345678", "123456789", "1234567890", "password", "password1", "password12", "password123",
        "password!", "passw0rd", "qwertyuiop", "qwerty123", "qwerty12", "1q2w3e4r", "1q2w3e4r5t",
        "11111111", "00000000", "88888888", "12341234", "87654321", "11223344", "123123123",
        "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1", "welcome123",
        "admin123", "administrator", "letmein1", "trustno1", "superman", "starwars", "whatever",
        "michelle", "jennifer", "computer", "internet", "corvette", "mercedes", "liverpool",
        "changeme", "changeme1", "abcd1234", "abc12345", "1qaz2wsx", "zaq12wsx", "qazwsxedc",
        "asdfghjkl", "zxcvbnm1", "q1w2e3r4", "987654321", "aaaaaaaa", "secret123", "monkey123",
        "dragon12", "master12", "shadow12", "jordan23", "michael1", "charlie1", "1234qwer",
        "qwer1234", "test1234", "testtest", "itempath", "itempath1", "p@ssw0rd", "p@ssword",
        "pa$$word", "default1", "summer2024", "winter2024", "spring2024", "autumn2024",
        "summer2025", "winter2025", "summer2026", "winter2026", "company1", "passpass",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool Contains(string password) => Set.Contains(password);
}
