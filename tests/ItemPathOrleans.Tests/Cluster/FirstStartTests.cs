using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>
/// The first start survives what silos starting together on an empty database meet: a write of
/// a duplicate activation failing on the storage ETag. It starts again and completes.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public class FirstStartTests
{
    /// <summary>Fails the first <c>ITenantGrain.MarkBootstrapped</c> as a stale activation's write would.</summary>
    private sealed class FailFirstBootstrapMark : IIncomingGrainCallFilter
    {
        public int Calls;

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ITenantGrain.MarkBootstrapped) && Interlocked.Increment(ref Calls) == 1)
                throw new InconsistentStateException("a duplicate activation's write lost on the ETag");
            return context.Invoke();
        }
    }

    [Fact]
    public async Task A_first_start_whose_write_loses_to_a_duplicate_activation_starts_again_and_completes()
    {
        var filter = new FailFirstBootstrapMark();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        var configuration = TestSettings.Configuration();
        builder.ConfigureHost(host => host.Configuration.AddConfiguration(configuration));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddIncomingGrainCallFilter(filter);
            silo.AddItemPathGrains(configuration);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            Assert.Equal(2, filter.Calls);
            Assert.True(await cluster.Client.GetGrain<ITenantGrain>(FirstStart.DefaultTenant).IsBootstrapped());
            var login = await cluster.Client.GetGrain<IAuthenticationGrain>(0)
                .Login(FirstStart.DefaultTenant, FirstStart.AdminUsername, TestSettings.AdminPassword, "127.0.0.1");
            Assert.Equal(TokenError.None, login.Error);
            Assert.True(login.User!.IsAdmin);
            // One admin: the second attempt found the first one's.
            var users = await cluster.Client.GetGrain<IUserRegistryGrain>(0).ListUsers(FirstStart.DefaultTenant, new UserQuery(null, null, null, null, 10, 1));
            Assert.Equal(1, users.Total);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
