using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>The answer of a login (password or single sign-on): a new session's two tokens and its user.</summary>
public sealed record LoginJson(
    bool Login, string AccessToken, string RefreshToken, string AccessExpiryDate, string RefreshExpiryDate,
    int Id, string Username, bool IsAdmin, string Type)
{
    public static LoginJson From(LoginResult login)
    {
        var user = login.User!;
        return new LoginJson(true, login.Access!.Token, login.Refresh!.Token,
            ApiDates.ItemPathDate(login.Access.ExpiresAt!.Value), ApiDates.ItemPathDate(login.Refresh.ExpiresAt!.Value),
            user.Id, user.Username, user.IsAdmin, user.Type);
    }
}
