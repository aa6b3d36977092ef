using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ItemPathOrleans.ClusterNode.Hosting;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ItemPathOrleans.Silo;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>
/// Orleans:Tls on: two silos built like the silo program (PostgreSQL clustering, real loopback
/// sockets) and a client, with certificates this test makes (a cluster authority and a node
/// certificate it signs). The cluster works across silos; a client without TLS, or with a
/// certificate from another authority, is not let in.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("itempath-tls-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_two_silo_cluster_with_mutual_tls_serves_calls_and_refuses_clients_without_the_clusters_certificate()
    {
        var trusted = WriteAuthorityAndNode("cluster", "itempath-cluster");
        var rogue = WriteAuthorityAndNode("rogue", "itempath-cluster");
        var clusterId = $"tls-{Guid.NewGuid():N}";
        var connectionString = TestSettings.PostgresConnectionString;

        // Two silo processes' worth of hosts, as the silo program builds them (PostgreSQL
        // membership and storage, real sockets on loopback), the second joining the first.
        var silos = new List<IHost>();
        try
        {
            var gateways = new List<IPEndPoint>();
            for (var i = 0; i < 2; i++)
            {
                var (siloPort, gatewayPort) = (FreePort(), FreePort());
                var settings = TestSettings.Values(connectionString);
                foreach (var (key, value) in Tls(trusted)) settings[key] = value;
                settings["Orleans:ClusterId"] = clusterId;
                settings["Orleans:ServiceId"] = clusterId;
                settings["Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
                settings["Orleans:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
                var builder = Host.CreateApplicationBuilder();
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.UseOrleans(silo => silo.ConfigureItemPath(builder.Configuration));
                var host = builder.Build();
                silos.Add(host);
                using var start = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                await host.StartAsync(start.Token);
                gateways.Add(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            }
            var cluster = (clusterId, gateways.ToArray());
            Assert.Equal((true, 2), await CallAsync(cluster, Tls(trusted), async client =>
            {
                // Users spread over both silos: creations and logins cross silo-to-silo connections.
                var registry = client.GetGrain<IUserRegistryGrain>(0);
                for (var i = 0; i < 6; i++)
                {
                    var created = await registry.CreateUser(TenantIds.Default,
                        new NewUser($"tls-user-{i}", "Tls-User-Pass-42", null, UserTypes.User, false, null, "en", "UTC"));
                    Assert.Equal(UserChangeError.None, created.Error);
                    var login = await client.GetGrain<IAuthenticationGrain>(0).Login(TenantIds.Default, $"tls-user-{i}", "Tls-User-Pass-42", "127.0.0.1");
                    Assert.Equal(TokenError.None, login.Error);
                }
                return (await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;
            }));
            Assert.Equal((false, 0), await CallAsync(cluster, new Dictionary<string, string?>(), HostCountAsync));
            Assert.Equal((false, 0), await CallAsync(cluster, Tls(rogue), HostCountAsync));
        }
        finally
        {
            foreach (var silo in Enumerable.Reverse(silos))
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await silo.StopAsync(stop.Token); } finally { silo.Dispose(); }
            }
        }
    }

    private static async Task<int> HostCountAsync(IClusterClient client) =>
        (await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void Without_an_authority_only_the_same_certificate_is_trusted_and_with_one_the_name_must_match()
    {
        var trusted = WriteAuthorityAndNode("cluster", "itempath-cluster");
        var otherName = WriteAuthorityAndNode("other-name", "somewhere-else", authorityFrom: trusted);
        var options = new ClusterTlsOptions { Enabled = true, CertificatePath = trusted.Certificate, KeyPath = trusted.Key };
        using var local = ClusterTls.LoadCertificate(options);
        using var sameAuthorityOtherName = ClusterTls.LoadCertificate(new ClusterTlsOptions { CertificatePath = otherName.Certificate, KeyPath = otherName.Key });
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(trusted.Authority);

        Assert.True(ClusterTls.IsTrusted(local, local, null, "itempath-cluster"));
        Assert.False(ClusterTls.IsTrusted(sameAuthorityOtherName, local, null, "itempath-cluster"));
        Assert.True(ClusterTls.IsTrusted(local, local, authorities, "itempath-cluster"));
        Assert.False(ClusterTls.IsTrusted(sameAuthorityOtherName, local, authorities, "itempath-cluster"));
        Assert.Throws<InvalidOperationException>(() => ClusterTls.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Orleans:Tls:Enabled"] = "true" }).Build()));
    }

    private static Dictionary<string, string?> Tls(Pki pki) => new()
    {
        ["Orleans:Tls:Enabled"] = "true",
        ["Orleans:Tls:CertificatePath"] = pki.Certificate,
        ["Orleans:Tls:KeyPath"] = pki.Key,
        ["Orleans:Tls:TrustedCaPath"] = pki.Authority,
    };

    /// <summary>
    /// Runs <paramref name="call"/> through a separate cluster client configured by
    /// <paramref name="settings"/>; (false, default) when that client is refused (it does not retry)
    /// or does not get in within 20 s.
    /// </summary>
    private static async Task<(bool Connected, T Result)> CallAsync<T>(
        (string ClusterId, IPEndPoint[] Gateways) cluster, Dictionary<string, string?> settings, Func<IClusterClient, Task<T>> call)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ClusterId;
            });
            client.UseStaticClustering(cluster.Gateways);
            client.UseItemPathTls(configuration);
            // A refused connection is an answer: no retries until the timeout.
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
        });
        using var host = builder.Build();
        IClusterClient connected;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try
            {
                await host.StartAsync(timeout.Token);
                connected = host.Services.GetRequiredService<IClusterClient>();
                await connected.GetGrain<IManagementGrain>(0).GetHosts().WaitAsync(timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or OrleansException or TimeoutException or System.Net.Sockets.SocketException)
            {
                try { await host.StopAsync(CancellationToken.None); } catch (Exception) { /* it never connected */ }
                return (false, default!);
            }
        }
        try
        {
            return (true, await call(connected));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private sealed record Pki(string Authority, string Certificate, string Key, X509Certificate2 AuthorityCertificate);

    /// <summary>An authority (or <paramref name="authorityFrom"/>'s) and a node certificate for <paramref name="dnsName"/> it signs, as PEM files.</summary>
    private Pki WriteAuthorityAndNode(string name, string dnsName, Pki? authorityFrom = null)
    {
        var now = DateTimeOffset.UtcNow;
        X509Certificate2 authority;
        if (authorityFrom is null)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest($"CN={name} authority", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            authority = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        }
        else
        {
            authority = authorityFrom.AuthorityCertificate;
        }

        using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", nodeKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var node = request.Create(authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));

        var authorityPath = Path.Combine(_folder, $"{name}-ca.pem");
        var certificatePath = Path.Combine(_folder, $"{name}-node.pem");
        var keyPath = Path.Combine(_folder, $"{name}-node.key");
        File.WriteAllText(authorityPath, authority.ExportCertificatePem());
        File.WriteAllText(certificatePath, node.ExportCertificatePem());
        File.WriteAllText(keyPath, nodeKey.ExportPkcs8PrivateKeyPem());
        return new Pki(authorityPath, certificatePath, keyPath, authority);
    }
}
