using System.Globalization;

namespace ItemPathOrleans.Api.Formatting;

/// <summary>The two date formats of the contract's answers.</summary>
public static class ApiDates
{
    /// <summary>ItemPath's expiry format: month first, UTC.</summary>
    public static string ItemPathDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("MM/dd/yyyy, HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
