using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Cors;
using ItemPathOrleans.Api.Endpoints;
using ItemPathOrleans.Api.Gateway;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Hosting;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

var builder = WebApplication.CreateBuilder(args);
var orleans = builder.Configuration.GetSection(ApiOrleansOptions.Section).Get<ApiOrleansOptions>() ?? new ApiOrleansOptions();

if (orleans.ConnectClient)
{
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
}

builder.WebHost.ConfigureKestrel(k =>
{
    // Above the contract's limits, so the application answers those in the contract's shape.
    k.Limits.MaxRequestBodySize = 1024 * 1024;
    k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
    k.Limits.MaxRequestHeaderCount = 100;
    // Slow clients: headers within 10 s, bodies at 240 bytes/s at least, idle connections closed.
    k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
    k.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5));
    k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
    k.AddServerHeader = false;
});
builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
{
    Timeout = TimeSpan.FromSeconds(orleans.ResponseTimeoutSeconds + 5),
    TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
});
builder.Services.AddAuthRateLimiter(builder.Configuration);

builder.Services.TryAddSingletonTimeProvider();
builder.Services.AddOptions<TokensOptions>()
    .Bind(builder.Configuration.GetSection(TokensOptions.Section))
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<TokensOptions>, TokensOptionsValidation>();
builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section));
builder.Services.AddSingleton<FailedLoginLimiter>();
builder.Services.AddOptions<RevocationOptions>().Bind(builder.Configuration.GetSection(RevocationOptions.Section));
builder.Services.AddSingleton<SigningKeyDerivation>();
builder.Services.AddSingleton<TenantCache>();
builder.Services.AddSingleton<TenantCatalogCache>();
builder.Services.AddOptions<TenancyOptions>().Bind(builder.Configuration.GetSection(TenancyOptions.Section))
    .Validate(o => !o.Validate().Any(), "Tenancy options are invalid (see docs/configuration.md: Tenancy:TrustedProxies, Tenancy:OperatorTenant, Tenancy:HostSuffix).")
    .ValidateOnStart();
builder.Services.AddItemPathTokenValidation();
builder.Services.AddSingleSignOn(builder.Configuration);
builder.Services.AddGateway(builder.Configuration);
builder.Services.AddBrowserCors(builder.Configuration);
builder.AddItemPathObservability();

var app = builder.Build();

app.UseMiddleware<ErrorBoundary>();
// Answers the framework gives without a body (an unmatched route, a wrong method) get the problem
// shape too (the RFC 6749 one for OAuth requests).
app.UseStatusCodePages(context => context.HttpContext.Response.HasStarted
    ? Task.CompletedTask
    : ProblemResult.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode)));
app.UseBrowserCors();
app.UseMiddleware<RequestLimits>();
app.UseRequestTimeouts();
app.UseRateLimiter();
app.UseMiddleware<TenantResolution>();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthApi();
app.MapSessionApi();
app.MapUsersApi();
app.MapTenantsApi();
app.MapSsoApi();
app.MapVerifyApi();
app.MapJwksApi();
app.MapGateway();
app.MapOAuthApi();
app.MapItemPathObservability();

try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
{
    // Stopped (SIGTERM) while still connecting to the cluster: a clean exit, not a crash.
}

/// <summary>Visible to the HTTP tests (WebApplicationFactory).</summary>
public partial class Program;
