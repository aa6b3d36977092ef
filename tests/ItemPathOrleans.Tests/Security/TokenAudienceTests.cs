using System.Globalization;
using System.Net;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Security;

/// <summary>
/// Token confusion: a resource server that checks <c>aud</c> must never take a refresh token for
/// an access token. Refresh tokens are addressed to the authorization server (the tenant's
/// issuer); access and application tokens to the resource audience; every token names its
/// subject.
/// </summary>
[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TokenAudienceTests(ServiceFixture service)
{
    private const string Password = "Audience-pass-2026";
    private const string Issuer = TestSettings.Issuer + "/default";

    [Fact]
    public async Task Refresh_tokens_are_addressed_to_the_authorization_server_and_every_token_names_its_subject()
    {
        var (login, app) = await ApplicationUserAsync();
        var id = login.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture);
        var refresh = login.GetProperty("refreshToken").GetString()!;

        Assert.Equal(Issuer, JwtClaims.Claim(refresh, "aud"));
        foreach (var token in new[] { login.GetProperty("accessToken").GetString()!, app })
            Assert.Equal("itempath-api", JwtClaims.Claim(token, "aud"));
        foreach (var token in new[] { login.GetProperty("accessToken").GetString()!, refresh, app })
            Assert.Equal(id, JwtClaims.Claim(token, "sub"));
    }

    [Fact]
    public async Task A_refresh_token_issued_before_refresh_tokens_had_their_own_audience_still_refreshes()
    {
        var (login, _) = await ApplicationUserAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        // As the previous release minted it: the resource audience, no sub.
        var legacy = tokens.Resign(login.GetProperty("refreshToken").GetString()!,
            payload => payload.Replace($"\"aud\":\"{Issuer}\"", "\"aud\":\"itempath-api\"", StringComparison.Ordinal)
                              .Replace($",\"sub\":\"{login.GetProperty("id").GetInt32()}\"", "", StringComparison.Ordinal));
        Assert.Equal("itempath-api", JwtClaims.Claim(legacy, "aud"));

        using var http = service.ClientWith(legacy);
        await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null));
    }

    [Fact]
    public async Task A_token_addressed_as_another_type_is_refused()
    {
        var (login, _) = await ApplicationUserAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);

        // An access token addressed to the authorization server is no access token.
        var access = tokens.Resign(login.GetProperty("accessToken").GetString()!,
            payload => payload.Replace("\"aud\":\"itempath-api\"", $"\"aud\":\"{Issuer}\"", StringComparison.Ordinal));
        using (var http = service.ClientWith(access))
            await HttpAssert.InvalidToken(await http.GetAsync("/api/users/me"), "Invalid token");

        // A refresh token is refused as a resource call, and under any audience but the two known ones.
        var refresh = login.GetProperty("refreshToken").GetString()!;
        using (var http = service.ClientWith(refresh))
            await HttpAssert.InvalidToken(await http.GetAsync("/api/users/me"), "Only non-refresh tokens are allowed");
        var elsewhere = tokens.Resign(refresh, payload => payload.Replace($"\"aud\":\"{Issuer}\"", "\"aud\":\"http://127.0.0.1:5080/other\"", StringComparison.Ordinal));
        using (var http = service.ClientWith(elsewhere))
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/users/refresh", null)).StatusCode);
    }

    private async Task<(System.Text.Json.JsonElement Login, string Application)> ApplicationUserAsync()
    {
        var name = ServiceFixture.UniqueName("aud");
        await service.CreateUserAsync(name, Password, type: "application");
        var login = await service.LoginAsync(name, Password);
        using var http = service.ClientWith(login.GetProperty("refreshToken").GetString()!);
        var app = await HttpAssert.Ok(await http.PostAsync("/api/users/application-token", null));
        return (login, app.GetProperty("token").GetString()!);
    }
}
