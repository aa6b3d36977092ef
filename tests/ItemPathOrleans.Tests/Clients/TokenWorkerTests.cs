using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.Tests.Clients;

/// <summary>
/// A worker service as a customer would write one: a hosted service calls a protected API on a
/// timer through an HttpClient whose handler attaches a client-credentials token from a cache,
/// and renews the token only when it is about to expire. Duende.AccessTokenManagement is what
/// such a service would use, but it is not served by the package source here, so the cache and
/// the handler below do what it does (one token per client, fetched with Duende.IdentityModel's
/// token client, renewed a minute before <c>expires_in</c> runs out, one fetch at a time, a 401
/// retried once with a new token). The worker's clock is a fake one: no test waits for time.
/// </summary>
[Collection(ClientsCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TokenWorkerTests(ClientsFixture fixture)
{
    [Fact]
    public async Task The_worker_caches_its_client_credentials_token_and_renews_it_after_expiry()
    {
        var (id, secret) = await fixture.SecretClientAsync(more: new { accessTokenLifetimeSeconds = 120 });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(new WorkerSettings(ClientsFixture.TokenEndpoint(fixture.Tenant), id, secret, fixture.Tenant));
        builder.Services.AddSingleton<ClientTokenCache>();
        builder.Services.AddTransient<ClientTokenHandler>();
        builder.Services.AddHttpClient(ClientTokenCache.TokenClient).ConfigurePrimaryHttpMessageHandler(() => fixture.NodeA.Server.CreateHandler());
        builder.Services.AddHttpClient(StationPoller.ApiClient, http => http.BaseAddress = new Uri("http://localhost"))
            .ConfigurePrimaryHttpMessageHandler(() => fixture.NodeA.Server.CreateHandler())
            .AddHttpMessageHandler<ClientTokenHandler>();
        builder.Services.AddSingleton<StationPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StationPoller>());
        using var host = builder.Build();
        await host.StartAsync();
        var poller = host.Services.GetRequiredService<StationPoller>();
        var cache = host.Services.GetRequiredService<ClientTokenCache>();
        // A hosted service starts running after StartAsync returns: its timer must exist before the clock moves.
        await poller.Ready.WaitAsync(TimeSpan.FromSeconds(10));

        await TickAsync(clock, poller, 1);
        await TickAsync(clock, poller, 2);
        Assert.Equal(1, cache.Fetches);
        var first = cache.Current!;

        // Fetched at the first tick (30 s) with 120 s of life: by the third tick (90 s) it is within a
        // minute of its expiry, so that tick fetches the next one and the fourth reuses it.
        await TickAsync(clock, poller, 3);
        await TickAsync(clock, poller, 4);
        Assert.Equal(2, cache.Fetches);
        Assert.NotEqual(JwtParts.Payload(first).GetProperty("jti").GetString(), JwtParts.Payload(cache.Current!).GetProperty("jti").GetString());
        Assert.All(poller.Answers, status => Assert.Equal(HttpStatusCode.OK, status));
        await host.StopAsync();
    }

    /// <summary>Moves the worker's clock to its next tick and waits (with a deadline) for that tick's call to be answered.</summary>
    private static async Task TickAsync(FakeTimeProvider clock, StationPoller poller, int answers)
    {
        clock.Advance(StationPoller.Period);
        await ClientsFixture.UntilAsync(() => Task.FromResult(poller.Answers.Count >= answers), $"tick {answers}");
    }

    private sealed record WorkerSettings(string TokenEndpoint, string ClientId, string ClientSecret, string Tenant);

    /// <summary>One client's token, fetched when missing or due, shared by every request of the worker.</summary>
    private sealed class ClientTokenCache(IHttpClientFactory clients, WorkerSettings settings, TimeProvider time)
    {
        public const string TokenClient = "token-endpoint";
        private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromSeconds(60);
        private readonly SemaphoreSlim _fetching = new(1, 1);
        private DateTimeOffset _expiresAt;

        public string? Current { get; private set; }
        public int Fetches { get; private set; }

        public async Task<string> GetAsync(bool forceRenewal, CancellationToken cancellationToken)
        {
            await _fetching.WaitAsync(cancellationToken);
            try
            {
                if (!forceRenewal && Current is not null && time.GetUtcNow() < _expiresAt - RenewBeforeExpiry) return Current;
                using var http = clients.CreateClient(TokenClient);
                var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
                {
                    Address = settings.TokenEndpoint,
                    ClientId = settings.ClientId,
                    ClientSecret = settings.ClientSecret,
                    Scope = "stations:read",
                }, cancellationToken);
                if (response.IsError) throw new InvalidOperationException($"token request failed: {response.Error}");
                Fetches++;
                Current = response.AccessToken!;
                _expiresAt = time.GetUtcNow().AddSeconds(response.ExpiresIn);
                return Current;
            }
            finally
            {
                _fetching.Release();
            }
        }
    }

    /// <summary>Attaches the cached token; a 401 gets one retry with a token fetched anew.</summary>
    private sealed class ClientTokenHandler(ClientTokenCache cache, WorkerSettings settings) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Add("X-Tenant", settings.Tenant);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await cache.GetAsync(false, cancellationToken));
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
            response.Dispose();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await cache.GetAsync(true, cancellationToken));
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The worker: every <see cref="Period"/> of its clock, one call to the protected API.</summary>
    private sealed class StationPoller(IHttpClientFactory clients, TimeProvider time) : BackgroundService
    {
        public const string ApiClient = "stations-api";
        public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<HttpStatusCode> Answers { get; } = new();

        /// <summary>Completes once the timer runs on the worker's clock.</summary>
        public Task Ready => _ready.Task;

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(Period, time);
            _ready.SetResult();
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    using var http = clients.CreateClient(ApiClient);
                    using var response = await http.GetAsync("/api/auth/verify", stoppingToken);
                    Answers.Enqueue(response.StatusCode);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped with the host.
            }
        }
    }
}
