using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Peer;

/// <summary>
/// POST /connect/token in passthrough mode: OpenIddict has already validated the request (client,
/// grant type, scopes; for refresh_token the token itself; for client_credentials the client's
/// secret) before this handler runs.
/// </summary>
public static class TokenEndpoint
{
    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static async Task<IResult> HandleAsync(HttpContext context, PeerDbContext db, PasswordHasher hasher)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsPasswordGrantType()) return await PasswordAsync(request, db, hasher, context.RequestAborted);
        if (request.IsRefreshTokenGrantType()) return await RefreshAsync(context, db);
        if (request.IsClientCredentialsGrantType()) return ClientCredentials(request);

        return Error(Errors.UnsupportedGrantType, "The specified grant type is not supported.");
    }

    private static async Task<IResult> PasswordAsync(OpenIddictRequest request, PeerDbContext db, PasswordHasher hasher, CancellationToken cancellationToken)
    {
        var username = request.Username;
        var password = request.Password;
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password)) return InvalidCredentials();

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == username, cancellationToken);
        if (user is null) return InvalidCredentials();

        var matched = await Task.Run(() => hasher.Verify(password, user.PasswordHash), cancellationToken);
        if (!matched) return InvalidCredentials();

        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString(CultureInfo.InvariantCulture))
                .SetClaim(Claims.Name, user.UserName);
        // offline_access among the granted scopes makes OpenIddict issue a refresh token.
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(GetDestinations);

        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, authenticationScheme: Scheme);
    }

    /// <summary>
    /// The client is authenticated and its grant type and scopes are permitted (OpenIddict checked
    /// them): a token for the client itself, its id as the subject, the scopes it asked for.
    /// </summary>
    private static IResult ClientCredentials(OpenIddictRequest request)
    {
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(GetDestinations);

        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, authenticationScheme: Scheme);
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, PeerDbContext db)
    {
        // The principal stored in the refresh token (already validated, and marked redeemed, by OpenIddict).
        var result = await context.AuthenticateAsync(Scheme);
        var principal = result.Principal;
        var subject = principal?.GetClaim(Claims.Subject);
        if (principal is null || !int.TryParse(subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
            return Error(Errors.InvalidGrant, "The refresh token is no longer valid.");

        // The user must still exist.
        var exists = await db.Users.AsNoTracking().AnyAsync(u => u.Id == userId, context.RequestAborted);
        if (!exists) return Error(Errors.InvalidGrant, "The refresh token is no longer valid.");

        var identity = new ClaimsIdentity(
            principal.Claims,
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetDestinations(GetDestinations);

        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, authenticationScheme: Scheme);
    }

    private static IEnumerable<string> GetDestinations(Claim claim) => claim.Type switch
    {
        Claims.Subject or Claims.Name => [Destinations.AccessToken],
        _ => [],
    };

    private static IResult InvalidCredentials() =>
        Error(Errors.InvalidGrant, "The username/password couple is invalid.");

    private static IResult Error(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Scheme]);
}
