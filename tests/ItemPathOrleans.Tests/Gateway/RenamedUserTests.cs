using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// A token's <c>identity</c> claim is the username at issue time; an application token never
/// expires, and after a rename another user may take the old name. Everything that names the
/// bearer to someone else (verify, the proxy's headers, introspection) names the user as it is now.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class RenamedUserTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task An_old_application_token_names_its_user_by_the_current_name_not_by_a_name_someone_else_took()
    {
        var oldName = ServiceFixture.UniqueName("renamed");
        var newName = oldName + "-now";
        using var admin = GatewayFixture.Client(fixture.Api, fixture.AdminToken);
        var robot = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = oldName, password = GatewayFixture.Password, type = "application" }), HttpStatusCode.Created);
        var robotId = robot.GetProperty("id").GetInt32();
        var login = await GatewayFixture.LoginAsync(fixture.Api, oldName, GatewayFixture.Password);
        using var refresh = GatewayFixture.Client(fixture.Api, login.GetProperty("refreshToken").GetString());
        var token = (await HttpAssert.Ok(await refresh.PostAsync("/api/users/application-token", null))).GetProperty("token").GetString()!;

        // Renamed, and the old name given to another user.
        await HttpAssert.Ok(await admin.PostAsJsonAsync($"/api/users/{robotId}", new { username = newName }));
        var taker = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = oldName, password = GatewayFixture.Password }), HttpStatusCode.Created);
        Assert.NotEqual(robotId, taker.GetProperty("id").GetInt32());

        using var bearer = GatewayFixture.Client(fixture.Api, token);
        var verify = await bearer.GetAsync("/api/auth/verify");
        var body = await HttpAssert.Ok(verify);
        Assert.Equal(robotId, body.GetProperty("userId").GetInt32());
        Assert.Equal(newName, body.GetProperty("username").GetString());
        Assert.Equal(newName, Assert.Single(verify.Headers.GetValues("X-Auth-Username")));

        var marker = Guid.NewGuid().ToString("N");
        using (var proxied = GatewayFixture.Client(fixture.GatewayApi, token))
            Assert.Equal(HttpStatusCode.OK, (await proxied.GetAsync($"/api/stations/{marker}")).StatusCode);
        var arrived = Assert.Single(fixture.Upstream.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));
        Assert.Equal([newName], arrived.Values("X-Auth-Username"));
        Assert.Equal([robotId.ToString(System.Globalization.CultureInfo.InvariantCulture)], arrived.Values("X-Auth-User-Id"));

        // Introspection by the application token of its own token.
        var introspection = await HttpAssert.Ok(await bearer.PostAsync("/oauth/introspect", new FormUrlEncodedContent([new("token", token)])));
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(newName, introspection.GetProperty("username").GetString());
    }
}
