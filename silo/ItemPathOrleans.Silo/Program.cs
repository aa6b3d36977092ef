namespace ItemPathOrleans.Silo;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["admin", .. var command]) return await AdminCommand.RunAsync(command, Console.Out, Console.Error);

        var builder = Host.CreateApplicationBuilder(args);
        builder.UseOrleans(silo => silo.ConfigureItemPath(builder.Configuration));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        await builder.Build().RunAsync();
        return 0;
    }
}
