using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace ItemPathOrleans.ClusterNode.Hosting;

/// <summary>
/// TLS between silos, and between API nodes and silos (section <c>Orleans:Tls</c>, the same on
/// every node). Mutual: every connection presents a certificate and checks the other side's.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "Orleans:Tls";

    public bool Enabled { get; set; }

    /// <summary>This node's certificate: a PKCS#12 file (.pfx, .p12) or a PEM certificate with <see cref="KeyPath"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 file, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// PEM file of the certificate authority (or authorities) that signed every node's certificate:
    /// a remote certificate must chain to it and name <see cref="ServerName"/>. Without it, a remote
    /// node must present exactly this node's own certificate (one certificate for the cluster).
    /// </summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>The DNS name every node's certificate carries (subject alternative name).</summary>
    public string ServerName { get; set; } = "itempath-cluster";

    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(CertificatePath)) yield return "Orleans:Tls:CertificatePath is required when Orleans:Tls:Enabled is true";
        else if (!File.Exists(CertificatePath)) yield return $"Orleans:Tls:CertificatePath: no file at {CertificatePath}";
        if (KeyPath is { Length: > 0 } key && !File.Exists(key)) yield return $"Orleans:Tls:KeyPath: no file at {key}";
        if (TrustedCaPath is { Length: > 0 } ca && !File.Exists(ca)) yield return $"Orleans:Tls:TrustedCaPath: no file at {ca}";
        if (string.IsNullOrWhiteSpace(ServerName)) yield return "Orleans:Tls:ServerName must not be empty";
    }
}

public static class ClusterTls
{
    /// <summary>Mutual TLS on the silo's inbound and outbound connections, when configured.</summary>
    public static ISiloBuilder UseItemPathTls(this ISiloBuilder silo, IConfiguration configuration) =>
        Read(configuration) is { } tls ? silo.UseTls(o => Apply(o, tls)) : silo;

    /// <summary>Mutual TLS on a cluster client's connections to silo gateways, when configured.</summary>
    public static IClientBuilder UseItemPathTls(this IClientBuilder client, IConfiguration configuration) =>
        Read(configuration) is { } tls ? client.UseTls(o => Apply(o, tls)) : client;

    /// <summary>The options when TLS is on (checked: a misconfiguration stops the node at start), else null.</summary>
    public static ClusterTlsOptions? Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(ClusterTlsOptions.Section).Get<ClusterTlsOptions>() ?? new ClusterTlsOptions();
        if (!options.Enabled) return null;
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new InvalidOperationException("Cluster TLS is misconfigured: " + string.Join("; ", errors));
        return options;
    }

    private static void Apply(TlsOptions tls, ClusterTlsOptions options)
    {
        var local = LoadCertificate(options);
        var trusted = options.TrustedCaPath is { Length: > 0 } ca ? LoadAuthorities(ca) : null;
        tls.LocalCertificate = local;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.SslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12;
        tls.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = options.ServerName;
        // The platform's verdict (system roots) does not apply to a private cluster PKI: the
        // chain is built here against the configured authority only.
        tls.RemoteCertificateValidation = (remote, _, _) => IsTrusted(remote, local, trusted, options.ServerName);
    }

    public static bool IsTrusted(X509Certificate2 remote, X509Certificate2 local, X509Certificate2Collection? authorities, string serverName)
    {
        if (authorities is null) return remote.RawDataMemory.Span.SequenceEqual(local.RawDataMemory.Span);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote) && remote.MatchesHostname(serverName, allowWildcards: false, allowCommonName: false);
    }

    public static X509Certificate2 LoadCertificate(ClusterTlsOptions options)
    {
        var path = options.CertificatePath!;
        if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        return options.KeyPath is { Length: > 0 } key
            ? X509Certificate2.CreateFromPemFile(path, key)
            : X509Certificate2.CreateFromPemFile(path);
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(path);
        if (authorities.Count == 0) throw new InvalidOperationException($"Orleans:Tls:TrustedCaPath: no certificate in {path}");
        return authorities;
    }
}
