using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// The master secret rotated the way docs/multi-tenancy.md's runbook says: configure the new one beside the
/// old (and make it current), restart, rotate the tenant keys, retire the versions of the old
/// master key, and finally drop the old master key from the configuration.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public class MasterKeyRotationTests
{
    private static readonly string NewSecret = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(255 - i)).ToArray());

    private static readonly Dictionary<string, string?> BothKeys = new()
    {
        ["Tokens:MasterKeys:1:Id"] = "test-m2",
        ["Tokens:MasterKeys:1:Secret"] = NewSecret,
        ["Tokens:CurrentMasterKeyId"] = "test-m2",
    };

    private static readonly Dictionary<string, string?> OnlyNewKey = new()
    {
        ["Tokens:MasterKeys:0:Id"] = "test-m2",
        ["Tokens:MasterKeys:0:Secret"] = NewSecret,
        ["Tokens:CurrentMasterKeyId"] = "test-m2",
    };

    [Fact]
    public async Task A_new_master_key_beside_the_old_one_takes_over_without_logging_anyone_out()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"masterkey-{Guid.NewGuid():N}";

        // 1. Running on m1: a token signed with k1 (derived from m1).
        string oldAccess;
        await using (var run = await Run.StartAsync(connectionString, serviceId, null))
        {
            oldAccess = (await run.LoginAsync()).GetProperty("accessToken").GetString()!;
        }

        // 2. m2 configured beside m1 and current: old tokens still validate; a key rotation
        //    derives k2 from m2, and new tokens carry k2.
        string newAccess;
        await using (var run = await Run.StartAsync(connectionString, serviceId, BothKeys))
        {
            Assert.Equal(HttpStatusCode.OK, (await run.MeAsync(oldAccess)).StatusCode);
            using var admin = run.Client(oldAccess);
            Assert.Equal("k2", (await HttpAssert.Ok(await admin.PostAsync("/api/tenants/default/keys/rotate", null))).GetProperty("kid").GetString());
            var keys = await HttpAssert.Ok(await admin.GetAsync("/api/tenants/default/keys"));
            Assert.Equal(["test-m1", "test-m2"], keys.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("masterKeyId").GetString()));

            newAccess = (await run.LoginAsync()).GetProperty("accessToken").GetString()!;
            Assert.Equal(HttpStatusCode.OK, (await run.MeAsync(newAccess)).StatusCode);

            // 3. Retire the versions of the old master key: their tokens stop.
            using var newAdmin = run.Client(newAccess);
            await HttpAssert.Ok(await newAdmin.PostAsync("/api/tenants/default/keys/k1/retire", null));
            Assert.Equal(HttpStatusCode.Unauthorized, (await run.MeAsync(oldAccess)).StatusCode);
        }

        // 4. m1 removed from the configuration: everything still signed is signed with m2.
        await using (var run = await Run.StartAsync(connectionString, serviceId, OnlyNewKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await run.MeAsync(newAccess)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await run.MeAsync(oldAccess)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await run.MeAsync((await run.LoginAsync()).GetProperty("accessToken").GetString()!)).StatusCode);
        }
    }

    /// <summary>A cluster on PostgreSQL and an API, both with the same extra settings.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private InProcessTestCluster _cluster = null!;
        private ApiFactory _api = null!;

        public static async Task<Run> StartAsync(string connectionString, string serviceId, IReadOnlyDictionary<string, string?>? settings)
        {
            var run = new Run { _cluster = await TestClusters.StartAsync(1, connectionString, serviceId, settings: settings) };
            run._api = new ApiFactory(run._cluster.Client, settings: settings);
            return run;
        }

        public HttpClient Client(string? token = null)
        {
            var http = _api.CreateClient();
            if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return http;
        }

        public async Task<JsonElement> LoginAsync()
        {
            using var http = Client();
            return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        }

        public async Task<HttpResponseMessage> MeAsync(string token)
        {
            using var http = Client(token);
            return await http.GetAsync("/api/users/me");
        }

        public async ValueTask DisposeAsync()
        {
            await _api.DisposeAsync();
            await _cluster.DisposeAsync();
        }
    }
}
