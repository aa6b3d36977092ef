using System.Buffers.Text;
using System.Net;
using System.Text;
using ItemPathOrleans.Grains.Tokens;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Authentication;

/// <summary>Every protected endpoint validates tokens strictly (RFC 8725) and says why it refused.</summary>
[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TokenValidationTests(ServiceFixture service)
{
    private async Task<(string Access, string Refresh, int UserId)> LoginAsync()
    {
        var name = ServiceFixture.UniqueName("tv");
        await service.CreateUserAsync(name, "Long-enough-pw-1");
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        return (login.GetProperty("accessToken").GetString()!, login.GetProperty("refreshToken").GetString()!, login.GetProperty("id").GetInt32());
    }

    private async Task<HttpResponseMessage> MeAsync(string? token)
    {
        using var http = token is null ? service.Client() : service.ClientWith(token);
        return await http.GetAsync("/api/users/me");
    }

    [Fact]
    public async Task Access_token_reads_the_current_user()
    {
        var (access, _, id) = await LoginAsync();
        var me = await HttpAssert.Ok(await MeAsync(access));
        Assert.Equal(id, me.GetProperty("id").GetInt32());
        foreach (var field in new[] { "username", "email", "type", "status", "isAdmin", "language", "timeZone", "createdAt", "updatedAt" })
            Assert.True(me.TryGetProperty(field, out _), field);
        Assert.False(me.TryGetProperty("password", out _));
        Assert.False(me.TryGetProperty("passwordHash", out _));
    }

    [Fact]
    public async Task No_credentials_is_401_with_a_bare_Bearer_challenge()
    {
        var response = await MeAsync(null);
        await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "Missing Authorization Header");
        var header = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", header.Scheme);
        Assert.Null(header.Parameter);
    }

    [Fact]
    public async Task A_refresh_token_never_authenticates_a_resource_call()
    {
        var (_, refresh, _) = await LoginAsync();
        await HttpAssert.InvalidToken(await MeAsync(refresh), "Only non-refresh tokens are allowed");
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        var (access, _, id) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var issued = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeSeconds();
        var expired = tokens.Mint(new TokenDescriptor("access", Guid.NewGuid().ToString(), "x", issued, issued + 900, id, JwtClaims.Claim(access, "sid")));
        await HttpAssert.InvalidToken(await MeAsync(expired), "Token has expired");
    }

    [Fact]
    public async Task Tampered_payload_fails_signature_verification()
    {
        var (access, _, _) = await LoginAsync();
        var parts = access.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"fresh\":false", "\"fresh\":true ");
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
        await HttpAssert.InvalidToken(await MeAsync(forged), "Signature verification failed");
    }

    [Fact]
    public async Task Unknown_kid_fails_signature_verification()
    {
        var (access, _, _) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var otherKid = tokens.Resign(access, p => p, """{"typ":"JWT","alg":"HS256","kid":"k9"}""");
        await HttpAssert.InvalidToken(await MeAsync(otherKid), "Signature verification failed");
    }

    [Theory]
    [InlineData("""{"typ":"JWT","alg":"none","kid":"k1"}""")]
    [InlineData("""{"typ":"JWT","alg":"HS512","kid":"k1"}""")]
    [InlineData("""{"typ":"at+jwt","alg":"HS256","kid":"k1"}""")]
    public async Task Other_algorithms_and_types_are_refused(string header)
    {
        var (access, _, _) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var forged = tokens.Resign(access, p => p, header);
        var response = await MeAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Unsigned_token_is_refused()
    {
        var (access, _, _) = await LoginAsync();
        var parts = access.Split('.');
        var none = $"{Base64Url.EncodeToString("""{"typ":"JWT","alg":"none"}"""u8)}.{parts[1]}.";
        var response = await MeAsync(none);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("\"aud\":\"itempath-api\"", "\"aud\":\"another-api\"")]
    [InlineData("\"tid\":\"default\"", "\"tid\":\"acme\"")]
    [InlineData("/default\"", "/acme\"")]
    public async Task Audience_tenant_and_issuer_must_match(string from, string to)
    {
        var (access, _, _) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var changed = tokens.Resign(access, p => p.Replace(from, to));
        Assert.NotEqual(access, changed);
        var response = await MeAsync(changed);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_token_without_exp_is_valid_only_for_an_application_session()
    {
        var (access, _, _) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var exp = JwtClaims.Claim(access, "exp");
        var neverExpires = tokens.Resign(access, p => p.Replace($",\"exp\":{exp}", ""));
        Assert.DoesNotContain("exp", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(neverExpires.Split('.')[1])));
        await HttpAssert.InvalidToken(await MeAsync(neverExpires), "Invalid token");
    }

    [Fact]
    public async Task Token_issued_in_the_future_is_refused()
    {
        var (access, _, id) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var issued = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var future = tokens.Mint(new TokenDescriptor("access", Guid.NewGuid().ToString(), "x", issued, issued + 900, id, JwtClaims.Claim(access, "sid")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(future)).StatusCode);
    }

    [Fact]
    public async Task Garbage_is_an_invalid_token()
    {
        await HttpAssert.InvalidToken(await MeAsync("not-a-jwt"), "Invalid token");
    }

    [Fact]
    public async Task A_session_unknown_to_the_user_is_revoked()
    {
        var (access, _, _) = await LoginAsync();
        var tokens = await TestTokens.ForAsync(service.Cluster.Client);
        var otherSession = tokens.Resign(access, p => p.Replace(JwtClaims.Claim(access, "sid"), "no-such-session"));
        await HttpAssert.InvalidToken(await MeAsync(otherSession), "Token has been revoked");
    }
}
