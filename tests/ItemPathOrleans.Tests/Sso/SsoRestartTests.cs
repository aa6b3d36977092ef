using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>
/// Links, and the ID tokens already used, are stored before a sign-in is answered: after every
/// silo is killed, a new cluster of the same service (PostgreSQL) knows who is linked to whom,
/// and which ID tokens it has accepted.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class SsoRestartTests
{
    [Fact]
    public async Task Links_survive_killing_every_silo()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"sso-restart-{Guid.NewGuid():N}";
        var tid = Guid.NewGuid().ToString();
        var provisionedOid = Guid.NewGuid().ToString();
        var linkedOid = Guid.NewGuid().ToString();
        var provisionedName = $"pia-{Guid.NewGuid():N}"[..12] + "@contoso.example";
        var linkedName = $"rex-{Guid.NewGuid():N}"[..12];
        var tenant = $"ssor-{Guid.NewGuid():N}"[..13];
        await using var entra = await EntraDouble.StartAsync();

        int provisionedId, linkedId;
        var cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client, settings: SsoFixture.LoopbackSettings());
            using var http = api.CreateClient();
            var operatorLogin = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
            using var op = Client(api, null, operatorLogin.GetProperty("accessToken").GetString());
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = tenant, adminUsername = "boss", adminPassword = SsoFixture.AdminPassword }), HttpStatusCode.Created);
            await HttpAssert.Ok(await op.PatchAsJsonAsync($"/api/tenants/{tenant}", new
            {
                sso = new { authority = entra.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { tid }, autoProvision = true },
            }));
            using var bossClient = Client(api, tenant, null);
            var boss = await HttpAssert.Ok(await bossClient.PostAsJsonAsync("/api/users/login", new { username = "boss", password = SsoFixture.AdminPassword }));
            using var admin = Client(api, tenant, boss.GetProperty("accessToken").GetString());
            linkedId = (await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = linkedName, password = "Correct-horse-9" }), HttpStatusCode.Created)).GetProperty("id").GetInt32();

            provisionedId = await SsoLoginAsync(api, tenant, entra.Sign(entra.Claims(tid, provisionedOid, provisionedName, DateTimeOffset.UtcNow)));
            Assert.Equal(linkedId, await SsoLoginAsync(api, tenant, entra.Sign(entra.Claims(tid, linkedOid, linkedName, DateTimeOffset.UtcNow))));
        }
        finally
        {
            foreach (var silo in cluster.Silos.ToList()) await cluster.KillSiloAsync(silo);
            await cluster.DisposeAsync();
        }

        cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client, settings: SsoFixture.LoopbackSettings());
            // The provisioned person comes back under a new name claim: the same user, not a new one.
            Assert.Equal(provisionedId, await SsoLoginAsync(api, tenant, entra.Sign(entra.Claims(tid, provisionedOid, "renamed@contoso.example", DateTimeOffset.UtcNow))));
            // The linked user's own link held: another person with its name is not matched.
            using var http = Client(api, tenant, null);
            var other = await http.PostAsJsonAsync("/api/users/sso/login", new { idToken = entra.Sign(entra.Claims(tid, Guid.NewGuid().ToString(), linkedName, DateTimeOffset.UtcNow)) });
            await HttpAssert.Problem(other, HttpStatusCode.Unauthorized, "Unknown user: no user of this tenant is linked to this account");
            Assert.Equal(linkedId, await SsoLoginAsync(api, tenant, entra.Sign(entra.Claims(tid, linkedOid, linkedName, DateTimeOffset.UtcNow))));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_used_id_token_stays_used_after_every_silo_is_killed()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"sso-replay-{Guid.NewGuid():N}";
        var tid = Guid.NewGuid().ToString();
        var tenant = $"ssoq-{Guid.NewGuid():N}"[..13];
        await using var entra = await EntraDouble.StartAsync();
        // Accepted by the first cluster, at once, within its lifetime: the next cluster must still know it.
        var oid = Guid.NewGuid().ToString();
        var used = entra.Sign(entra.Claims(tid, oid, $"una-{Guid.NewGuid():N}"[..12] + "@contoso.example", DateTimeOffset.UtcNow));
        int userId;

        var cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client, settings: SsoFixture.LoopbackSettings());
            using var http = api.CreateClient();
            var operatorLogin = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
            using var op = Client(api, null, operatorLogin.GetProperty("accessToken").GetString());
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = tenant, adminUsername = "boss", adminPassword = SsoFixture.AdminPassword }), HttpStatusCode.Created);
            await HttpAssert.Ok(await op.PatchAsJsonAsync($"/api/tenants/{tenant}", new
            {
                sso = new { authority = entra.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { tid }, autoProvision = true },
            }));
            userId = await SsoLoginAsync(api, tenant, used);
        }
        finally
        {
            foreach (var silo in cluster.Silos.ToList()) await cluster.KillSiloAsync(silo);
            await cluster.DisposeAsync();
        }

        cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client, settings: SsoFixture.LoopbackSettings());
            using var http = Client(api, tenant, null);
            var replay = await http.PostAsJsonAsync("/api/users/sso/login", new { idToken = used });
            await HttpAssert.Problem(replay, HttpStatusCode.Unauthorized, "ID token has already been used");
            Assert.Equal(userId, await SsoLoginAsync(api, tenant, entra.Sign(entra.Claims(tid, oid, "renamed@contoso.example", DateTimeOffset.UtcNow))));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static HttpClient Client(ApiFactory api, string? tenant, string? token)
    {
        var http = api.CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private static async Task<int> SsoLoginAsync(ApiFactory api, string tenant, string idToken)
    {
        using var http = Client(api, tenant, null);
        var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/sso/login", new { idToken }));
        return login.GetProperty("id").GetInt32();
    }
}
