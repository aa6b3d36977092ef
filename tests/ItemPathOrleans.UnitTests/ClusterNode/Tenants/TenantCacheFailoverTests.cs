using System.Reflection;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.UnitTests.ClusterNode.Tenants;

/// <summary>
/// A silo's tenant cache during a fail-over. A user grain asks for the tenant's settings with
/// the version its caller (the API node) has already seen, so settings changed before the request
/// apply to it: rotation turned on must rotate. When the tenant grain cannot be reached (its silo
/// just died) or answers from a stale copy (a duplicate activation during a membership change),
/// the cache must not hand out settings older than that version; failing the call is safe (the
/// client retries), applying old settings is not (the fail-over test once saw a refresh answered
/// with rotation off, the spent token left valid).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TenantCacheFailoverTests
{
    private static readonly TenantInfo RotationOff = new("default", "Default", false, DateTimeOffset.UnixEpoch, TenantSettings.Default, [], "k1");
    private static readonly TenantInfo RotationOn = RotationOff with
    {
        Settings = RotationOff.Settings with { RefreshTokenRotation = true },
        Version = RotationOff.Version + 1,
    };

    [Fact]
    public async Task A_copy_older_than_the_callers_version_is_not_served_when_the_tenant_grain_is_unreachable()
    {
        var grain = new ScriptedTenantGrain { Answer = () => RotationOff };
        var cache = new TenantCache(FakeGrainFactory.For(grain), new FakeTimeProvider(DateTimeOffset.UtcNow));
        Assert.Equal(RotationOff.Version, (await cache.FindAsync("default"))!.Version);

        // The tenant grain's silo dies; the request comes from an API node that saw rotation on.
        grain.Answer = () => throw new SiloUnavailableException("the tenant grain's silo is dead");
        TenantInfo? answered = null;
        var failed = await Record.ExceptionAsync(async () => answered = await cache.FindAsync("default", RotationOn.Version));

        Assert.True(failed is not null || answered!.Version >= RotationOn.Version,
            $"the cache answered version {answered?.Version} (rotation {answered?.Settings.RefreshTokenRotation}) to a caller that has seen version {RotationOn.Version}");
    }

    [Fact]
    public async Task A_stale_answer_older_than_the_callers_version_is_not_served()
    {
        // A duplicate activation of the tenant grain still holds the state from before the change.
        var grain = new ScriptedTenantGrain { Answer = () => RotationOff };
        var cache = new TenantCache(FakeGrainFactory.For(grain), new FakeTimeProvider(DateTimeOffset.UtcNow));

        TenantInfo? answered = null;
        var failed = await Record.ExceptionAsync(async () => answered = await cache.FindAsync("default", RotationOn.Version));

        Assert.True(failed is not null || answered!.Version >= RotationOn.Version,
            $"the cache answered version {answered?.Version} (rotation {answered?.Settings.RefreshTokenRotation}) to a caller that has seen version {RotationOn.Version}");
    }

    /// <summary>An <see cref="ITenantGrain"/> whose <c>Get</c> answers what the test scripts.</summary>
    internal sealed class ScriptedTenantGrain
    {
        public Func<TenantInfo?> Answer { get; set; } = () => null;
    }

    /// <summary>
    /// Grain references without a cluster: <c>GetGrain&lt;ITenantGrain&gt;</c>, and
    /// <c>GetGrain&lt;ITenantVersionsGrain&gt;</c> when given one (without, asking for it throws, as
    /// when the versions grain cannot be reached); anything else throws.
    /// </summary>
    public class FakeGrainFactory : DispatchProxy
    {
        private ITenantGrain _tenant = null!;
        private ITenantVersionsGrain? _versions;

        internal static IGrainFactory For(ScriptedTenantGrain grain, ITenantVersionsGrain? versions = null)
        {
            var factory = Create<IGrainFactory, FakeGrainFactory>();
            ((FakeGrainFactory)(object)factory)._tenant = FakeTenantGrain.For(grain);
            ((FakeGrainFactory)(object)factory)._versions = versions;
            return factory;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) =>
            method is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && method.GetGenericArguments()[0] is var type
                ? type == typeof(ITenantGrain) ? _tenant
                : type == typeof(ITenantVersionsGrain) && _versions is not null ? _versions
                : throw new NotSupportedException($"FakeGrainFactory: {method}")
                : throw new NotSupportedException($"FakeGrainFactory: {method}");
    }

    public class FakeTenantGrain : DispatchProxy
    {
        private ScriptedTenantGrain _script = null!;

        internal static ITenantGrain For(ScriptedTenantGrain script)
        {
            var grain = Create<ITenantGrain, FakeTenantGrain>();
            ((FakeTenantGrain)(object)grain)._script = script;
            return grain;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method?.Name != nameof(ITenantGrain.Get)) throw new NotSupportedException($"FakeTenantGrain: {method}");
            try
            {
                return Task.FromResult(_script.Answer());
            }
            catch (Exception ex)
            {
                return Task.FromException<TenantInfo?>(ex);
            }
        }
    }
}
