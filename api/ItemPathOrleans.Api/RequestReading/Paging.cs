using System.Globalization;
using ItemPathOrleans.Api.ProblemAnswers;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>ItemPath-style paging: <c>?limit=</c> (default 100, at most 1000) and <c>?page=</c> from 0.</summary>
public readonly record struct Paging(int Limit, int Page)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static (Paging Paging, ProblemResult? Problem) From(IQueryCollection query)
    {
        var limit = DefaultLimit;
        var page = 0;
        if (query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            return (default, Problems.BadRequest($"limit must be an integer from 1 to {MaxLimit}"));
        if (query.TryGetValue("page", out var p) && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 0))
            return (default, Problems.BadRequest("page must be an integer from 0"));
        return (new Paging(limit, page), null);
    }

    /// <summary>The page's items; a page past the end is empty (the offset is computed without overflow).</summary>
    public IEnumerable<T> Apply<T>(IEnumerable<T> items) => items.Skip((int)Math.Min(int.MaxValue, (long)Page * Limit)).Take(Limit);
}
