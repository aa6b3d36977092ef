using System.Globalization;
using System.Runtime.InteropServices;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orleans.Configuration;

namespace ItemPathOrleans.Baselines;

/// <summary>
/// The validation ceiling: a bare ASP.NET Core app whose <c>GET /api/users/me</c> only validates
/// the JWT, as the API's access scheme does (HS256 only, typ JWT, audience, the tenant's issuer,
/// lifetime with the 30 s skew, the tenant's keys by kid, the token's own claim rules), and
/// answers from the claims: no grain call, no revocation check, no other middleware. The tenant's
/// key ring is read once at start from the running cluster and derived as the API derives it.
/// </summary>
public static class JwtServer
{
    public const string DefaultUrl = "http://127.0.0.1:5090";
    private const string Scheme = "access";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The API's section <c>Orleans</c> (ApiOrleansOptions): how it reaches the cluster.</summary>
    private sealed class ClusterSettings
    {
        public string ClusterId { get; set; } = "itempath";
        public string ServiceId { get; set; } = "itempath";
        public int GatewayPort { get; set; } = 30000;
        public int ResponseTimeoutSeconds { get; set; } = 10;
    }

    private sealed record Me(int Id, string? Username);

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var configuration = builder.Configuration;

        var tenant = configuration["tenant"] ?? TenantIds.Default;
        if (!TenantIds.IsValid(tenant)) throw new UsageException("--tenant must match ^[a-z0-9][a-z0-9-]{0,62}$");
        var tokens = configuration.GetSection(TokensOptions.Section).Get<TokensOptions>() ?? new TokensOptions();
        var tokenErrors = tokens.Validate().ToList();
        if (tokenErrors.Count > 0) throw new UsageException(string.Join(" ", tokenErrors));
        var cluster = configuration.GetSection("Orleans").Get<ClusterSettings>() ?? new ClusterSettings();
        var connectionString = configuration.GetConnectionString("ItemPath");

        Uri? forward = null;
        if (configuration["forward"] is { } forwardText)
        {
            if (!Uri.TryCreate(forwardText, UriKind.Absolute, out forward) || (forward.Scheme != Uri.UriSchemeHttp && forward.Scheme != Uri.UriSchemeHttps))
                throw new UsageException($"--forward must be an absolute http(s) URL, not '{forwardText}'");
            if (!forward.AbsolutePath.EndsWith('/')) forward = new Uri(forward.GetLeftPart(UriPartial.Path) + "/");
        }

        var keys = await LoadKeysAsync(tenant, tokens, cluster, connectionString);
        if (keys is null) return 1;

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        if (string.IsNullOrEmpty(configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);
        var issuer = tokens.IssuerFor(tenant);
        builder.Services.AddAuthentication(Scheme).AddJwtBearer(Scheme, o =>
        {
            o.MapInboundClaims = false;
            o.RequireHttpsMetadata = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidTypes = ["JWT"],
                ValidateAudience = true,
                ValidAudience = tokens.Audience,
                ValidateIssuer = true,
                ValidIssuer = issuer,
                ValidateLifetime = true,
                // Application tokens have no exp, as in the API.
                RequireExpirationTime = false,
                ClockSkew = TokenClaims.ClockSkew,
                RequireSignedTokens = true,
                TryAllIssuerSigningKeys = false,
                IssuerSigningKeys = keys,
                NameClaimType = TokenClaims.Identity,
            };
            o.Events = new JwtBearerEvents { OnTokenValidated = context => CheckClaims(context, tenant) };
        });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" }));
        // The keys are loaded before the server listens: ready as soon as it answers.
        app.MapGet("/health/ready", () => TypedResults.Ok(new { status = "ready" }));
        app.MapGet("/api/users/me", (HttpContext context) =>
        {
            var user = context.User;
            var id = int.Parse(user.FindFirst(TokenClaims.UserId)!.Value, NumberStyles.None, CultureInfo.InvariantCulture);
            return TypedResults.Ok(new Me(id, user.FindFirst(TokenClaims.Identity)?.Value));
        }).RequireAuthorization();
        if (forward is not null)
        {
            // Everything else (the load generator's setup: logins, application tokens, admin
            // calls) goes to the real API; never on the measured path.
            var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
            {
                Timeout = TimeSpan.FromSeconds(30),
            };
            app.MapFallback(context => ForwardAsync(context, client, forward));
        }

        await app.StartAsync();
        Console.Error.WriteLine($"serve-jwt: tenant {tenant}, issuer {issuer}, audience {tokens.Audience}, " +
                                $"keys {string.Join(",", keys.Select(k => k.KeyId))}; listening on {string.Join(" ", app.Urls)}" +
                                (forward is null ? "" : $"; other requests forwarded to {forward}"));
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static readonly string[] ForwardedRequestHeaders = ["Authorization", "X-Tenant", "Accept"];
    private static readonly string[] ForwardedResponseHeaders = ["WWW-Authenticate", "Retry-After", "Location"];

    /// <summary>Passes a request to the real API as it is (method, path, query, body, the headers that matter) and its answer back.</summary>
    private static async Task ForwardAsync(HttpContext context, HttpClient client, Uri target)
    {
        var incoming = context.Request;
        var uri = new Uri(target, incoming.Path.Value!.TrimStart('/') + incoming.QueryString.Value);
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), uri);
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0 || incoming.ContentType is not null)
        {
            request.Content = new StreamContent(incoming.Body);
            if (incoming.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        foreach (var name in ForwardedRequestHeaders)
        {
            if (incoming.Headers.TryGetValue(name, out var values)) request.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var name in ForwardedResponseHeaders)
            {
                if (response.Headers.TryGetValues(name, out var values)) context.Response.Headers[name] = values.ToArray();
            }
            if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    /// <summary>The API's own claim rules after the signature (OnTokenValidated), without the revocation check.</summary>
    private static Task CheckClaims(TokenValidatedContext context, string tenant)
    {
        var token = (JsonWebToken)context.SecurityToken;
        if (Claim(token, TokenClaims.Type) != TokenClaims.AccessType)
        {
            context.Fail("Only non-refresh tokens are allowed");
            return Task.CompletedTask;
        }
        if (Claim(token, TokenClaims.Tenant) != tenant)
        {
            context.Fail("Token is not valid for this tenant");
            return Task.CompletedTask;
        }
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        if (string.IsNullOrEmpty(Claim(token, TokenClaims.Id)) || string.IsNullOrEmpty(Claim(token, TokenClaims.SessionId))
            || !int.TryParse(Claim(token, TokenClaims.UserId), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !token.TryGetPayloadValue<long>(TokenClaims.IssuedAt, out var iat)
            || iat > now + (long)TokenClaims.ClockSkew.TotalSeconds)
        {
            context.Fail("Invalid token");
        }
        return Task.CompletedTask;
    }

    private static string? Claim(JsonWebToken token, string name) =>
        token.TryGetClaim(name, out var claim) ? claim.Value : null;

    /// <summary>
    /// Connects to the cluster as the API does (ADO.NET clustering with a connection string,
    /// the localhost gateway without), reads the tenant's key ring once, disconnects, and derives
    /// the secrets of the versions not retired with <see cref="SigningKeyDerivation"/>. Null (and a
    /// message) when that fails.
    /// </summary>
    private static async Task<List<SecurityKey>?> LoadKeysAsync(string tenant, TokensOptions tokens, ClusterSettings cluster, string? connectionString)
    {
        using var cts = new CancellationTokenSource(ConnectTimeout);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(cluster.ResponseTimeoutSeconds));
            if (string.IsNullOrEmpty(connectionString))
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            }
            else
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = connectionString;
                });
            }
            // The cluster may still be starting: retry until the connect timeout.
            client.UseConnectionRetryFilter(async (_, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                return true;
            });
        });

        TenantInfo? info;
        using (var host = builder.Build())
        {
            try
            {
                Console.Error.WriteLine($"serve-jwt: connecting to the cluster {cluster.ClusterId}/{cluster.ServiceId} " +
                                        (string.IsNullOrEmpty(connectionString) ? $"(localhost gateway {cluster.GatewayPort})" : "(ADO.NET clustering)"));
                await host.StartAsync(cts.Token);
                info = await host.Services.GetRequiredService<IClusterClient>().GetGrain<ITenantGrain>(tenant).Get().WaitAsync(cts.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine(cts.IsCancellationRequested
                    ? $"Baselines: no answer from the cluster within {ConnectTimeout.TotalSeconds:0} s (or interrupted)"
                    : $"Baselines: could not read tenant '{tenant}': {ErrorBook.Describe(e)}");
                return null;
            }
            finally
            {
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await host.StopAsync(stopTimeout.Token); }
                catch (Exception e) { Console.Error.WriteLine($"serve-jwt: client stop: {ErrorBook.Describe(e)}"); }
            }
        }

        if (info is null)
        {
            Console.Error.WriteLine($"Baselines: tenant '{tenant}' does not exist");
            return null;
        }
        if (info.Disabled) Console.Error.WriteLine($"serve-jwt: tenant '{tenant}' is disabled (the API would refuse its tokens); validating anyway");

        var derivation = new SigningKeyDerivation(Microsoft.Extensions.Options.Options.Create(tokens));
        var keys = new List<SecurityKey>();
        foreach (var version in info.Keys)
        {
            if (version.RetiredAt is not null) continue;
            var secret = derivation.SecretFor(tenant, version);
            if (secret is null)
            {
                Console.Error.WriteLine($"serve-jwt: key {version.Kid} is derived from master key '{version.MasterKeyId}', which is not configured: its tokens will fail");
                continue;
            }
            keys.Add(new SymmetricSecurityKey(secret) { KeyId = version.Kid });
        }
        if (keys.Count == 0)
        {
            Console.Error.WriteLine($"Baselines: tenant '{tenant}' has no usable signing key (check Tokens__MasterKeys__*)");
            return null;
        }
        return keys;
    }
}
