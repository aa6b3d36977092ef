using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Faults;

/// <summary>
/// A login (and a password change) runs in two halves on the user grain, with the hash between
/// them off the grain: a permit first, then the completion. When a silo stops or dies, the user
/// grain's activation moves, and it can move between the halves (the fail-over tests see it a few
/// times per run). A correct password must then still log in, not be answered "Bad username or
/// password". Here the move is made to happen at exactly that moment: a filter on the silos
/// deactivates the user grain just before the completion reaches it.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ActivationMoveTests(ActivationMoveTests.MoveCluster fixture) : IClassFixture<ActivationMoveTests.MoveCluster>
{
    private const string Password = "Move-Pass-Word-47";
    private readonly InProcessTestCluster _cluster = fixture.Cluster;
    private readonly ApiFactory _api = fixture.Api;
    private readonly MoveBeforeCompletion _mover = fixture.Mover;

    /// <summary>One 2-silo cluster with the mover on its silos for the class; each test arms it for a user of its own.</summary>
    public sealed class MoveCluster : IAsyncLifetime
    {
        public MoveBeforeCompletion Mover { get; } = new();
        public InProcessTestCluster Cluster { get; private set; } = null!;
        public ApiFactory Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var builder = new InProcessTestClusterBuilder(2);
            builder.Options.ConfigureFileLogging = false;
            var configuration = TestSettings.Configuration();
            builder.ConfigureHost(host => host.Configuration.AddConfiguration(configuration));
            builder.ConfigureSilo((_, silo) =>
            {
                silo.AddItemPathGrains(configuration);
                silo.AddOutgoingGrainCallFilter(Mover);
            });
            Cluster = builder.Build();
            await Cluster.DeployAsync();
            Mover.Cluster = Cluster;
            Api = new ApiFactory(Cluster.Client);
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_login_whose_user_grain_moves_between_its_two_halves_logs_in()
    {
        var (username, userId) = await CreateUserAsync("move");
        var user = User(userId);
        _mover.Arm(user, nameof(IUserGrain.CompleteLogin));

        using var http = _api.CreateClient();
        using var response = await http.PostAsJsonAsync("/api/users/login", new { username, password = Password });
        var body = await JsonAsync(response);

        Assert.Equal(1, _mover.Moves(user));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"a correct password answered {(int)response.StatusCode} {body} when the user grain moved mid-login");
        Assert.Equal(userId, body.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_password_change_whose_user_grain_moves_between_its_two_halves_changes_the_password()
    {
        var (username, userId) = await CreateUserAsync("movepw");
        using var http = _api.CreateClient();
        using var login = await http.PostAsJsonAsync("/api/users/login", new { username, password = Password });
        var access = (await JsonAsync(login)).GetProperty("accessToken").GetString()!;

        var user = User(userId);
        _mover.Arm(user, nameof(IUserGrain.CompletePasswordChange));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/me/password")
        {
            Content = JsonContent.Create(new { currentPassword = Password, newPassword = "Moved-New-Pass-58" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(1, _mover.Moves(user));
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"the right current password answered {(int)response.StatusCode} {body} when the user grain moved mid-change");
        using var again = await http.PostAsJsonAsync("/api/users/login", new { username, password = "Moved-New-Pass-58" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    private async Task<(string Username, int UserId)> CreateUserAsync(string prefix)
    {
        var username = ServiceFixture.UniqueName(prefix);
        var created = await _cluster.Client.GetGrain<IUserRegistryGrain>(0).CreateUser("default",
            new NewUser(username, Password, null, UserTypes.User, false, null, "en", "UTC"));
        Assert.True(created.Error == UserChangeError.None, $"creating {username}: {created.Error} {created.Detail}");
        return (username, created.User!.Id);
    }

    private GrainId User(int userId) => _cluster.Client.GetGrain<IUserGrain>(GrainKeys.User("default", userId)).GetGrainId();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Deactivates an armed user grain, and waits until it is gone, just before the named call
    /// leaves for it: the call then reaches a new activation, as after a fail-over.
    /// </summary>
    public sealed class MoveBeforeCompletion : IOutgoingGrainCallFilter
    {
        private readonly ConcurrentDictionary<GrainId, string> _armed = new();
        private readonly ConcurrentDictionary<GrainId, int> _moves = new();

        public InProcessTestCluster? Cluster { get; set; }

        /// <summary>How many times the grain was moved before its armed call.</summary>
        public int Moves(GrainId grain) => _moves.GetValueOrDefault(grain);

        public void Arm(GrainId grain, string method) => _armed[grain] = method;

        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            if (_armed.TryGetValue(context.TargetId, out var method) && context.MethodName == method && _armed.TryRemove(context.TargetId, out _))
            {
                await Cluster!.DeactivateAsync(context.TargetId);
                _moves.AddOrUpdate(context.TargetId, 1, (_, n) => n + 1);
            }
            await context.Invoke();
        }
    }
}
