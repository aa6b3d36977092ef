using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Clients;

/// <summary>
/// Registered clients in PostgreSQL outlive the cluster: after every silo is killed, a new
/// cluster of the same service id knows the client, its secrets (a secret added before works,
/// one deleted before does not), lists it from the client directory, and still refuses a
/// <c>private_key_jwt</c> assertion that was used before the failure (its <c>jti</c> was stored
/// before the token left).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public class ClientRestartTests
{
    [Fact]
    public async Task A_client_its_secrets_and_its_used_assertions_survive_killing_every_silo()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"client-restart-{Guid.NewGuid():N}";
        var id = ServiceFixture.UniqueName("durable");
        var jwtId = ServiceFixture.UniqueName("durable-jwt");
        using var keys = ClientKeys.Rsa();
        var assertion = keys.Assertion(jwtId, $"{TestSettings.Issuer}/default/oauth/token");
        string kept, removed;

        var cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var admin = await AdminAsync(api);
            var created = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/clients", new { clientId = id, name = "durable" }), HttpStatusCode.Created);
            removed = created.GetProperty("clientSecret").GetString()!;
            var removedId = Assert.Single(created.GetProperty("secrets").EnumerateArray()).GetProperty("id").GetString();
            kept = (await HttpAssert.Ok(await admin.PostAsync($"/api/clients/{id}/secrets", null), HttpStatusCode.Created)).GetProperty("clientSecret").GetString()!;
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/clients/{id}/secrets/{removedId}")).StatusCode);
            await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/clients", new { clientId = jwtId, name = "signed", tokenEndpointAuthMethod = "private_key_jwt", jwks = keys.Jwks }), HttpStatusCode.Created);

            using var http = api.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await BasicAsync(http, id, kept)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await AssertionAsync(http, assertion)).StatusCode);

            foreach (var silo in cluster.Silos.ToList()) await cluster.KillSiloAsync(silo);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var http = api.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await BasicAsync(http, id, kept)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await BasicAsync(http, id, removed)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await AssertionAsync(http, assertion)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await AssertionAsync(http, keys.Assertion(jwtId, $"{TestSettings.Issuer}/default/oauth/token"))).StatusCode);

            using var admin = await AdminAsync(api);
            var read = await HttpAssert.Ok(await admin.GetAsync($"/api/clients/{id}"));
            Assert.Single(read.GetProperty("secrets").EnumerateArray());
            // The directory is shared by every cluster of the test database (keyed by tenant): look for this one.
            var list = await HttpAssert.Ok(await admin.GetAsync("/api/clients?limit=1000"));
            Assert.Contains(id, list.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("clientId").GetString()));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task<HttpClient> AdminAsync(ApiFactory api)
    {
        var http = api.CreateClient();
        var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
        return http;
    }

    private static Task<HttpResponseMessage> BasicAsync(HttpClient http, string id, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> AssertionAsync(HttpClient http, string assertion) =>
        http.PostAsync("/oauth/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", assertion),
        ]));
}
