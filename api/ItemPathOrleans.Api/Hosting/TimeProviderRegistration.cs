using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ItemPathOrleans.Api.Hosting;

internal static class TimeProviderRegistration
{
    public static IServiceCollection TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
