using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Users;

/// <summary>A user as the API shows it (never a password or its hash).</summary>
public sealed record UserJson(
    int Id, string Username, string? Email, string Type, int Status, bool IsAdmin,
    string Language, string TimeZone, string CreatedAt, string UpdatedAt)
{
    public static UserJson From(UserProfile u) => new(
        u.Id, u.Username, u.Email, u.Type, u.Status, u.IsAdmin, u.Language, u.TimeZone, ApiDates.Iso(u.CreatedAt), ApiDates.Iso(u.UpdatedAt));
}
