using System.Globalization;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>Response shapes of the contract (camelCase by the JSON options).</summary>
public static class ApiJson
{
    /// <summary>ItemPath's expiry format: month first, UTC.</summary>
    public static string ItemPathDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("MM/dd/yyyy, HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static SessionJson Session(SessionInfo s) => new(
        s.Id, s.Kind, s.Name, Iso(s.CreatedAt), s.LastUsedAt is { } used ? Iso(used) : null, s.ExpiresAt is { } end ? Iso(end) : null);

    public static UserJson User(UserProfile u) => new(
        u.Id, u.Username, u.Email, u.Type, u.Status, u.IsAdmin, u.Language, u.TimeZone, Iso(u.CreatedAt), Iso(u.UpdatedAt));
}

public sealed record UserJson(
    int Id, string Username, string? Email, string Type, int Status, bool IsAdmin,
    string Language, string TimeZone, string CreatedAt, string UpdatedAt);

public sealed record LoginJson(
    bool Login, string AccessToken, string RefreshToken, string AccessExpiryDate, string RefreshExpiryDate,
    int Id, string Username, bool IsAdmin, string Type);

public sealed record RefreshJson(string AccessToken, string AccessExpiryDate);

/// <summary>A refresh answer with rotation on: the next refresh token of the same session comes with it.</summary>
public sealed record RotatedRefreshJson(string AccessToken, string AccessExpiryDate, string RefreshToken, string RefreshExpiryDate);

public sealed record SessionJson(string Id, string Kind, string? Name, string CreatedAt, string? LastUsedAt, string? ExpiresAt);

public sealed record SessionListJson(IReadOnlyList<SessionJson> Sessions, int Total);

public sealed record ApplicationTokenJson(string Token, string Id, string? Name);

public sealed record UserListJson(IReadOnlyList<UserJson> Users, long Total);

public sealed record EventJson(string At, string Name, string? Address, string? Detail);

public sealed record EventListJson(IReadOnlyList<EventJson> Events, int Total);
