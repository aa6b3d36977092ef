using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>The API in-process, talking to a test cluster through that cluster's client.</summary>
public sealed class ApiFactory(IClusterClient client, TimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Orleans:ConnectClient", "false");
        foreach (var (key, value) in TestSettings.Values()) builder.UseSetting(key, value);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IGrainFactory>(client);
            services.AddSingleton(client);
            if (time is not null) services.Replace(ServiceDescriptor.Singleton(time));
        });
    }
}
