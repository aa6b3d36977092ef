using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>One active session or application token, never a token.</summary>
public sealed record SessionJson(string Id, string Kind, string? Name, string CreatedAt, string? LastUsedAt, string? ExpiresAt)
{
    public static SessionJson From(SessionInfo s) => new(
        s.Id, s.Kind, s.Name, ApiDates.Iso(s.CreatedAt), s.LastUsedAt is { } used ? ApiDates.Iso(used) : null, s.ExpiresAt is { } end ? ApiDates.Iso(end) : null);
}
