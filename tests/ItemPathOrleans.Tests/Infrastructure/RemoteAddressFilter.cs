using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>The test server leaves the remote address empty; a real server has the peer's. This sets it.</summary>
public sealed class RemoteAddressFilter(string address) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(nextMiddleware => context =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            return nextMiddleware(context);
        });
        next(app);
    };
}
