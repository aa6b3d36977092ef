using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// An ES256 key ring in PostgreSQL outlives the cluster: after a full restart the stored, encrypted
/// private key still signs (new tokens keep the same kid and verify with the same JWKS) and
/// tokens from before are still valid.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class Es256RestartTests
{
    [Fact]
    public async Task An_ES256_tenant_keeps_its_keys_across_a_cluster_restart()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"es256-{Guid.NewGuid():N}";
        var tenant = $"esr-{Guid.NewGuid():N}"[..12];
        string before, jwksBefore;

        var cluster = await TestClusters.StartAsync(1, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            var op = await GatewayFixture.LoginAsync(api, "admin", TestSettings.AdminPassword);
            using (var http = GatewayFixture.Client(api, op.GetProperty("accessToken").GetString()))
                await HttpAssert.Ok(await http.PostAsJsonAsync("/api/tenants", new { id = tenant, name = "R", adminUsername = "boss", adminPassword = GatewayFixture.Password }), HttpStatusCode.Created);
            var boss = (await GatewayFixture.LoginAsync(api, "boss", GatewayFixture.Password, tenant)).GetProperty("accessToken").GetString();
            using (var http = GatewayFixture.Client(api, boss, tenant))
                await HttpAssert.Ok(await http.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { signingAlgorithm = "ES256" })));
            before = (await GatewayFixture.LoginAsync(api, "boss", GatewayFixture.Password, tenant)).GetProperty("accessToken").GetString()!;
            using var client = api.CreateClient();
            jwksBefore = await client.GetStringAsync($"/{tenant}/.well-known/jwks.json");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        cluster = await TestClusters.StartAsync(1, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var client = api.CreateClient();
            var jwks = await client.GetStringAsync($"/{tenant}/.well-known/jwks.json");
            Assert.Equal(jwksBefore, jwks);

            using (var http = GatewayFixture.Client(api, before, tenant))
                await HttpAssert.Ok(await http.GetAsync("/api/auth/verify"));
            var after = (await GatewayFixture.LoginAsync(api, "boss", GatewayFixture.Password, tenant)).GetProperty("accessToken").GetString()!;
            Assert.Equal(before.Split('.')[0], after.Split('.')[0]);
            var issuer = $"{TestSettings.Issuer}/{tenant}";
            Assert.Null((await JwksPyJwt.VerifyAsync(after, jwks, issuer)).Error);
            Assert.Null((await JwksPyJwt.VerifyAsync(before, jwks, issuer)).Error);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
