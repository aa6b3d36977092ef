using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Grains.Passwords;

/// <summary>
/// Runs password hashes on the thread pool, never on a grain's turn, with a bounded number at
/// once: each Argon2id hash holds 19 MiB, so 200 concurrent logins must queue, not take 4 GiB.
/// </summary>
public sealed class PasswordHashingPool : IDisposable
{
    private readonly PasswordHasher _hasher;
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<string> _decoy;

    public PasswordHashingPool(PasswordHasher hasher, IOptions<PasswordHashingOptions> options)
    {
        _hasher = hasher;
        _slots = new SemaphoreSlim(options.Value.MaxConcurrentHashes);
        // A hash of nothing anyone knows: unknown users are checked against it, so a failure
        // costs one hash whatever its cause.
        _decoy = new Lazy<string>(() => hasher.Hash(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));
    }

    /// <summary>How many hashes have run; tests use it to prove each login path runs exactly one.</summary>
    public long HashesRun => Interlocked.Read(ref _hashesRun);
    private long _hashesRun;

    public Task<string> HashAsync(string password) => RunAsync(() => _hasher.Hash(password));

    public Task<PasswordCheck> VerifyAsync(string password, string encoded) => RunAsync(() => _hasher.Verify(password, encoded));

    /// <summary>Runs one hash against the decoy and reports no match.</summary>
    public async Task<PasswordCheck> VerifyDecoyAsync(string password)
    {
        var decoy = _decoy.IsValueCreated ? _decoy.Value : await Task.Run(() => _decoy.Value);
        await VerifyAsync(password, decoy);
        return new PasswordCheck(false, false);
    }

    private async Task<T> RunAsync<T>(Func<T> work)
    {
        await _slots.WaitAsync();
        try
        {
            Interlocked.Increment(ref _hashesRun);
            return await Task.Run(work);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
