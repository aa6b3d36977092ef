using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Api.Keys;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Tenants;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;

namespace ItemPathOrleans.Tests.Keys;

/// <summary>
/// A key version is stored without its RSA companion (as every version a build before ID tokens
/// stored): the tenant's first JWKS read gives the current version one, before any relying party
/// could hold a set without it. That key is stored (the tenant's version raised), answered again
/// unchanged, and published the same after a full restart; a version rotated out before it was
/// needed stays without one.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class IdTokenKeyUpgradeTests
{
    private const string BossPassword = "Id-Token-Upgrade-Pass-5";

    private static readonly OrleansGrainStorageSerializer Storage =
        new(new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    private static string[] Kids(string jwks) =>
        JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToArray();

    [Fact]
    public async Task The_first_JWKS_read_gives_the_current_version_its_ID_token_key_which_survives_a_restart()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"idkey-{Guid.NewGuid():N}";
        var tenant = $"idu-{Guid.NewGuid():N}"[..12];

        string jwksAfter;
        var cluster = await TestClusters.StartAsync(1, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var op = api.CreateClient();
            var admin = await HttpAssert.Ok(await op.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
            op.DefaultRequestHeaders.Authorization = new("Bearer", admin.GetProperty("accessToken").GetString());
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = "Lazy", adminUsername = "boss", adminPassword = BossPassword }), HttpStatusCode.Created);
            await HttpAssert.Ok(await op.PostAsync($"/api/tenants/{tenant}/keys/rotate", null));

            // Stored as a build before ID tokens stored it: no companion anywhere.
            var stored = Storage.Deserialize<TenantState>(new BinaryData(await ReadTenantStateAsync(connectionString, serviceId, tenant)))!;
            Assert.Equal(["k1", "k2"], stored.Info!.Keys.Select(k => k.Kid));
            Assert.All(stored.Info.Keys, k => Assert.Equal((false, (byte[]?)null, (byte[]?)null), (k.HasIdTokenKey, k.RsaEncryptedPrivateKey, k.RsaPublicKey)));
            using var boss = await BossAsync(api, tenant);
            var listed = (await HttpAssert.Ok(await boss.GetAsync($"/api/tenants/{tenant}/keys"))).GetProperty("keys").EnumerateArray();
            Assert.All(listed, k => Assert.False(k.GetProperty("idTokenKey").GetBoolean()));
            // Logins sign with the ring as it is.
            Assert.Equal(HttpStatusCode.OK, (await boss.GetAsync("/api/users/me")).StatusCode);

            // The first read of the set: the current version's key is made, stored and published.
            var grain = cluster.Client.GetGrain<ITenantGrain>(tenant);
            var before = (await grain.Get())!;
            using var http = api.CreateClient();
            jwksAfter = await http.GetStringAsync($"/{tenant}/.well-known/jwks.json");
            Assert.Equal(["k2-rs256"], Kids(jwksAfter));
            var ensured = (await grain.Get())!;
            Assert.Equal(before.Version + 1, ensured.Version);
            Assert.True(ensured.FindKey("k2")!.HasIdTokenKey);
            // Only the current version: k1 stays as it was stored.
            Assert.False(ensured.FindKey("k1")!.HasIdTokenKey);
            Assert.Equal(before.FindKey("k2")!.Salt, ensured.FindKey("k2")!.Salt);
            stored = Storage.Deserialize<TenantState>(new BinaryData(await ReadTenantStateAsync(connectionString, serviceId, tenant)))!;
            Assert.Equal(ensured.FindKey("k2")!.RsaPublicKey, stored.Info!.FindKey("k2")!.RsaPublicKey);

            // Idempotent: asked again (as an ID token's minting asks), the grain answers the same ring and version.
            var again = await grain.EnsureIdTokenKey();
            Assert.Equal(ensured.Version, again.Version);
            Assert.Equal(ensured.FindKey("k2")!.RsaPublicKey, again.FindKey("k2")!.RsaPublicKey);
            Assert.Equal(jwksAfter, await http.GetStringAsync($"/{tenant}/.well-known/jwks.json"));
            var listedAfter = (await HttpAssert.Ok(await boss.GetAsync($"/api/tenants/{tenant}/keys"))).GetProperty("keys").EnumerateArray();
            Assert.Equal([false, true], listedAfter.Select(k => k.GetProperty("idTokenKey").GetBoolean()));
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
            using var http = api.CreateClient();
            Assert.Equal(jwksAfter, await http.GetStringAsync($"/{tenant}/.well-known/jwks.json"));
            var info = (await cluster.Client.GetGrain<ITenantGrain>(tenant).Get())!;
            var version = info.Version;
            Assert.Equal(version, (await cluster.Client.GetGrain<ITenantGrain>(tenant).EnsureIdTokenKey()).Version);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<HttpClient> BossAsync(ApiFactory api, string tenant)
    {
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "boss", password = BossPassword }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
        return http;
    }

    private static async Task<byte[]> ReadTenantStateAsync(string connectionString, string serviceId, string tenant)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT PayloadBinary FROM OrleansStorage WHERE ServiceId = @s AND GrainTypeString LIKE '%tenant' AND GrainIdExtensionString = @k", connection);
        command.Parameters.AddWithValue("s", serviceId);
        command.Parameters.AddWithValue("k", tenant);
        return (byte[])(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no stored state for tenant {tenant}"));
    }
}
