namespace ItemPathOrleans.Baselines;

/// <summary>
/// The service behind the gateway, for measuring what the gateway adds: a bare ASP.NET Core app
/// that answers every request with a small JSON body naming the path (what an ItemPath resource
/// such as <c>/api/stations</c> would do at best), and <c>/health/ready</c>.
/// </summary>
public static class UpstreamServer
{
    public const string DefaultUrl = "http://127.0.0.1:5091";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($$"""{"upstream":true,"path":"{{context.Request.Path.Value?.Replace("\"", "", StringComparison.Ordinal)}}"}""");
        });
        await app.RunAsync();
        return 0;
    }
}
