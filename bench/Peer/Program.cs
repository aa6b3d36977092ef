using Microsoft.EntityFrameworkCore;
using Peer;

// Benchmark peer: a plain OpenIddict 7 token server (password, refresh_token and
// client_credentials grants) on EF Core + PostgreSQL, with OpenIddict's defaults (rolling refresh
// tokens, token storage, encrypted access tokens, hashed client secrets). Not part of ItemPathOrleans.sln.
var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("Peer");
if (string.IsNullOrWhiteSpace(connectionString))
    throw new InvalidOperationException(
        "ConnectionStrings:Peer is not set (e.g. ConnectionStrings__Peer='Host=127.0.0.1;Port=5432;Database=openiddict;Username=postgres').");

builder.Services.Configure<PeerOptions>(builder.Configuration.GetSection(PeerOptions.Section));
var peer = builder.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
peer.Validate();
builder.Services.AddSingleton<PasswordHasher>();
builder.Services.AddSingleton<PeerReadiness>();

builder.Services.AddDbContext<PeerDbContext>(options =>
{
    options.UseNpgsql(connectionString);
    options.UseOpenIddict();
});

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<PeerDbContext>())
    .AddServer(options =>
    {
        options.SetTokenEndpointUris("connect/token");

        // AllowRefreshTokenFlow also registers the offline_access scope.
        options.AllowPasswordFlow()
               .AllowRefreshTokenFlow()
               .AllowClientCredentialsFlow();

        // The clients' scope, known from the options (no scope lookup in the database per request).
        options.RegisterScopes(peer.ClientScope);

        options.AddEphemeralEncryptionKey()
               .AddEphemeralSigningKey();

        options.UseAspNetCore()
               .EnableTokenEndpointPassthrough()
               .DisableTransportSecurityRequirement();
    });

var app = builder.Build();

await PeerSetup.InitializeAsync(app.Services, app.Lifetime.ApplicationStopping);

app.UseAuthentication();

app.MapPost("/connect/token", TokenEndpoint.HandleAsync);
app.MapGet("/health", (PeerReadiness readiness) =>
    readiness.IsReady ? Results.Text("ok") : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));

await app.RunAsync();
