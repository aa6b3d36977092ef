using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Clients;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Console;
using ItemPathOrleans.Api.Cors;
using ItemPathOrleans.Api.Gateway;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.Keys;
using ItemPathOrleans.Api.OAuth;
using ItemPathOrleans.Api.OpenId;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.Operations;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sessions;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Api.Tenants;
using ItemPathOrleans.Api.Users;



var builder = WebApplication.CreateBuilder(args);
var orleans = builder.Configuration.GetSection(ApiOrleansOptions.Section).Get<ApiOrleansOptions>() ?? new ApiOrleansOptions();
builder.AddItemPathClusterClient(orleans).AddServerLimits(orleans);

builder.Services.TryAddSingletonTimeProvider();
builder.Services.AddRateLimiting(builder.Configuration);
builder.Services.AddTenancy(builder.Configuration);
builder.Services.AddItemPathTokenValidation(builder.Configuration);
builder.Services.AddBrowserCors(builder.Configuration);
builder.Services.AddSessions().AddUsers().AddTenants().AddClients().AddKeys().AddOpenIdProvider().AddOperations();
builder.Services.AddSingleSignOn(builder.Configuration);
builder.Services.AddSignInPages();
builder.Services.AddGateway(builder.Configuration);
// Last: it takes out routing's content-type check, which the request records answer themselves.
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

app.MapOperationsEndpoints();
app.MapSessionEndpoints();
app.MapUserEndpoints();
app.MapTenantEndpoints();
app.MapClientEndpoints();
app.MapKeyEndpoints();
app.MapSsoEndpoints();
app.MapOAuthEndpoints();
app.MapOpenIdEndpoints();
app.MapSignInAssets();
app.MapConsoleEndpoints();
app.MapGatewayEndpoints();

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
