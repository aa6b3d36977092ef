using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Tests.Tenants;

/// <summary>
/// Tenants created in bulk (<see cref="ITenantAdminGrain.CreateTenants"/>): the rules of a single
/// creation, a precomputed admin hash, one catalog write per batch.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class BulkTenantTests(MultiTenantFixture fixture) : IClassFixture<MultiTenantFixture>
{
    private const string AdminPassword = "Bulk-admin-pw-2026";

    // The test settings' cheap Argon2id parameters: a hash is a hash, whatever its cost.
    private static readonly string AdminHash =
        new PasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKib = 8192, Iterations = 1 })).Hash(AdminPassword);

    private static string NewTenantId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private ITenantCatalogGrain Catalog => fixture.Cluster.Client.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);

    private ITenantAdminGrain Admin => fixture.Cluster.Client.GetGrain<ITenantAdminGrain>(0);

    [Fact]
    public async Task A_batch_creates_its_valid_tenants_with_one_catalog_write_and_their_admins_log_in()
    {
        var (a, b, c) = (NewTenantId("bulk"), NewTenantId("bulk"), NewTenantId("bulk"));
        var before = await Catalog.GetAll();

        var results = await Admin.CreateTenants(
        [
            new NewTenant(a, "Tenant A", "boss", AdminHash),
            new NewTenant(b, "Tenant B", "chief", AdminHash),
            new NewTenant("Bad_Id", "Bad", "boss", AdminHash),
            new NewTenant(a, "Tenant A again", "boss", AdminHash),
            new NewTenant("default", "Default again", "boss", AdminHash),
            new NewTenant(c, "Tenant C", "boss", "not-an-argon2id-hash"),
            new NewTenant(c, "", "boss", AdminHash),
            new NewTenant(c, "Tenant C", "", AdminHash),
        ]);

        Assert.Equal(
            [TenantChangeError.None, TenantChangeError.None, TenantChangeError.Invalid, TenantChangeError.AlreadyExists,
                TenantChangeError.AlreadyExists, TenantChangeError.Invalid, TenantChangeError.Invalid, TenantChangeError.Invalid],
            results.Select(r => r.Error));
        Assert.Equal(a, results[0].Tenant!.Id);
        Assert.Equal("Tenant B", results[1].Tenant!.Name);
        Assert.Contains("id must match", results[2].Detail);
        Assert.Contains("Argon2id", results[5].Detail);

        // Both in the list, with one write of it for the batch; the refused ones not at all.
        var after = await Catalog.GetAll();
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal("Tenant A", after.Tenants[a].Name);
        Assert.Equal("Tenant B", after.Tenants[b].Name);
        Assert.False(after.Tenants.ContainsKey(c));
        Assert.False(after.Tenants.ContainsKey("Bad_Id"));
        Assert.Equal("Default", after.Tenants["default"].Name);
        Assert.True(await fixture.Cluster.Client.GetGrain<ITenantGrain>(a).IsBootstrapped());

        // Each first admin logs in with the password behind the shared hash (the API node takes the
        // new list as after a change made through it).
        await fixture.Api.Services.GetRequiredService<TenantCatalogCache>().RefreshAsync();
        foreach (var (tenant, admin) in new[] { (a, "boss"), (b, "chief") })
        {
            using var http = fixture.Api.CreateClient();
            http.DefaultRequestHeaders.Add("X-Tenant", tenant);
            var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = admin, password = AdminPassword }));
            Assert.True(login.GetProperty("isAdmin").GetBoolean());
        }
        using (var http = fixture.Api.CreateClient())
        {
            http.DefaultRequestHeaders.Add("X-Tenant", c);
            await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/login", new { username = "boss", password = AdminPassword }),
                HttpStatusCode.NotFound, "Unknown tenant");
        }

        // The same batch again: every tenant exists, nothing is written.
        var again = await Admin.CreateTenants([new NewTenant(a, "Tenant A", "boss", AdminHash), new NewTenant(b, "Tenant B", "chief", AdminHash)]);
        Assert.All(again, r => Assert.Equal(TenantChangeError.AlreadyExists, r.Error));
        Assert.Equal(after.Version, (await Catalog.GetAll()).Version);
    }

    [Fact]
    public async Task The_catalog_refuses_a_bad_batch_whole()
    {
        var before = await Catalog.GetAll();
        var ok = NewTenantId("putmany");
        TenantEntry Entry(string id) => new(id, "Name " + id, false, DateTimeOffset.UnixEpoch);

        await Assert.ThrowsAsync<ArgumentException>(() => Catalog.PutMany([Entry(ok), Entry("Not A Tenant Id")]));
        await Assert.ThrowsAsync<ArgumentException>(() => Catalog.PutMany([Entry(ok), Entry(ok)]));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Catalog.PutMany([.. Enumerable.Range(0, ITenantCatalogGrain.MaxBatch + 1).Select(i => Entry($"{ok}-{i}"))]));
        Assert.Null(await Catalog.Find(ok));
        Assert.Equal(before.Version, (await Catalog.GetAll()).Version);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            Admin.CreateTenants([.. Enumerable.Range(0, ITenantCatalogGrain.MaxBatch + 1).Select(i => new NewTenant($"{ok}-{i}", "N", "boss", AdminHash))]));
        Assert.Equal(before.Version, (await Catalog.GetAll()).Version);
    }
}
