using System.Reflection;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Authentication;
using ItemPathOrleans.Grains.Passwords;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.UnitTests.Grains.Authentication;

/// <summary>
/// The one permit protocol of logins and password changes, against a scripted user grain: what
/// each path answers and how many hashes it runs (exactly one on every failure path).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PermitProtocolTests : IDisposable
{
    private const string Password = "Right-password-1";
    private static readonly PasswordHashingOptions Cheap = new() { MemoryKib = 8192, Iterations = 1 };
    private static readonly PasswordHasher Hasher = new(Options.Create(Cheap));
    private static readonly string Stored = Hasher.Hash(Password);

    private readonly PasswordHashingPool _hashing = new(Hasher, Options.Create(Cheap));
    private readonly ScriptedUser _user = ScriptedUser.Create();
    private readonly List<(Guid Permit, bool Matched, string? Rehashed)> _completions = [];

    public void Dispose() => _hashing.Dispose();

    private static LoginPermit Permit(string hash) => new(true, Guid.NewGuid(), hash);

    /// <summary>Runs the protocol; the second half answers from <paramref name="answers"/> in turn ("lost" or "done").</summary>
    private async Task<(PermitRun<string> Run, long Hashes)> RunAsync(string password, params string[] answers)
    {
        var before = _hashing.HashesRun;
        var run = await PermitProtocol.RunAsync(_user.Grain, _hashing, password, "192.0.2.1",
            (permit, matched, rehashed) =>
            {
                _completions.Add((permit, matched, rehashed));
                return Task.FromResult(answers[_completions.Count - 1]);
            },
            answer => answer == "lost");
        return (run, _hashing.HashesRun - before);
    }

    [Fact]
    public async Task A_matched_password_completes_with_one_hash()
    {
        _user.Permits.Enqueue(Permit(Stored));
        var (run, hashes) = await RunAsync(Password, "done");
        Assert.Equal((PermitEnd.Completed, "done", 1L), (run.End, run.Result, hashes));
        Assert.True(Assert.Single(_completions).Matched);
    }

    [Fact]
    public async Task A_locked_user_runs_no_hash()
    {
        _user.Permits.Enqueue(new LoginPermit(false, Guid.Empty, null, 42));
        var (run, hashes) = await RunAsync(Password);
        Assert.Equal((PermitEnd.Locked, 42, 0L), (run.End, run.RetryAfterSeconds, hashes));
        Assert.Empty(_completions);
    }

    [Fact]
    public async Task No_permit_runs_the_decoy_hash()
    {
        _user.Permits.Enqueue(new LoginPermit(false, Guid.Empty, null));
        var (run, hashes) = await RunAsync(Password);
        Assert.Equal((PermitEnd.NoPassword, 1L), (run.End, hashes));
        Assert.Empty(_completions);
    }

    [Fact]
    public async Task A_wrong_password_completes_as_a_failed_login_with_one_hash()
    {
        var permit = Permit(Stored);
        _user.Permits.Enqueue(permit);
        var (run, hashes) = await RunAsync("Wrong-password-2");
        Assert.Equal((PermitEnd.Failed, 1L), (run.End, hashes));
        // The user grain is told, so it records the failure and frees the permit.
        Assert.Equal((permit.PermitId, false), Assert.Single(_user.FailedCompletions));
        Assert.Empty(_completions);
    }

    [Fact]
    public async Task A_lost_permit_starts_again_once_without_hashing_the_same_stored_hash_again()
    {
        _user.Permits.Enqueue(Permit(Stored));
        var again = Permit(Stored);
        _user.Permits.Enqueue(again);
        var (run, hashes) = await RunAsync(Password, "lost", "done");
        Assert.Equal((PermitEnd.Completed, "done", 1L), (run.End, run.Result, hashes));
        Assert.Equal((again.PermitId, true), (_completions[1].Permit, _completions[1].Matched));
    }

    [Fact]
    public async Task A_lost_permit_whose_new_permit_holds_another_hash_checks_that_one()
    {
        _user.Permits.Enqueue(Permit(Stored));
        _user.Permits.Enqueue(Permit(Hasher.Hash("Someone-else-set-3")));
        var (run, hashes) = await RunAsync(Password, "lost", "refused");
        Assert.Equal((PermitEnd.Completed, "refused", 2L), (run.End, run.Result, hashes));
        Assert.False(_completions[1].Matched);
    }

    [Theory]
    [InlineData("locked")]
    [InlineData("no permit")]
    [InlineData("lost again")]
    public async Task A_second_round_that_cannot_complete_fails_with_the_one_hash_already_run(string second)
    {
        _user.Permits.Enqueue(Permit(Stored));
        _user.Permits.Enqueue(second switch
        {
            "locked" => new LoginPermit(false, Guid.Empty, null, 7),
            "no permit" => new LoginPermit(false, Guid.Empty, null),
            _ => Permit(Stored),
        });
        var (run, hashes) = await RunAsync(Password, "lost", "lost");
        Assert.Equal(second == "locked" ? PermitEnd.Locked : PermitEnd.Failed, run.End);
        Assert.Equal(1L, hashes);
    }

    [Fact]
    public async Task An_outdated_hash_is_rehashed_on_a_match_and_handed_to_both_rounds()
    {
        var outdated = new PasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKib = 9216, Iterations = 1 })).Hash(Password);
        _user.Permits.Enqueue(Permit(outdated));
        _user.Permits.Enqueue(Permit(outdated));
        var (run, hashes) = await RunAsync(Password, "lost", "done");
        Assert.Equal((PermitEnd.Completed, 2L), (run.End, hashes));
        Assert.NotNull(_completions[0].Rehashed);
        Assert.Equal(_completions[0].Rehashed, _completions[1].Rehashed);
    }

    /// <summary>A user grain that hands out scripted permits and records failed completions; any other call is a test error.</summary>
    public class ScriptedUser : DispatchProxy
    {
        public Queue<LoginPermit> Permits { get; } = new();
        public List<(Guid Permit, bool Matched)> FailedCompletions { get; } = [];
        public IUserGrain Grain { get; private set; } = null!;

        public static ScriptedUser Create()
        {
            var grain = Create<IUserGrain, ScriptedUser>();
            var script = (ScriptedUser)(object)grain;
            script.Grain = grain;
            return script;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Name switch
        {
            nameof(IUserGrain.BeginLogin) => Task.FromResult(Permits.Dequeue()),
            nameof(IUserGrain.CompleteLogin) => Failed((Guid)args![0]!, (bool)args[1]!),
            _ => throw new InvalidOperationException($"unexpected call {targetMethod.Name}"),
        };

        private Task<LoginResult> Failed(Guid permit, bool matched)
        {
            FailedCompletions.Add((permit, matched));
            return Task.FromResult(LoginResult.Fail(TokenError.BadCredentials));
        }
    }
}
