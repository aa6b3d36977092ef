using ItemPathOrleans.ClusterNode.Hosting;
using Orleans.Configuration;

namespace ItemPathOrleans.Api.Hosting;

/// <summary>The API node's Orleans client: the cluster it joins, how long a grain call may take, TLS and trace propagation.</summary>
public static class ClusterClientHosting
{
    public static WebApplicationBuilder AddItemPathClusterClient(this WebApplicationBuilder builder, ApiOrleansOptions orleans)
    {
        builder.Services.AddValidatedOptions<ApiOrleansOptions>(builder.Configuration, ApiOrleansOptions.Section);
        if (!orleans.ConnectClient) return builder;
        var connectionString = builder.Configuration.GetConnectionString("ItemPath");
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = orleans.ClusterId;
                o.ServiceId = orleans.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(orleans.ResponseTimeoutSeconds));
            client.UseItemPathTls(builder.Configuration);
            client.AddActivityPropagation();
            if (string.IsNullOrEmpty(connectionString))
            {
                client.UseLocalhostClustering(orleans.GatewayPort);
            }
            else
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = connectionString;
                });
            }
        });
        return builder;
    }
}
