using System.Collections.Concurrent;
using System.Security.Claims;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// Tokens whose signature this node has verified, by their exact text, so a token presented again
/// is not parsed and its signature not computed again. Only what the signature check decided is
/// kept: the parsed token and the claims it produced, for the tenant copy (id and
/// <see cref="TenantInfo.Version"/>) whose key ring verified it. Everything else is decided on
/// every request as before: the lifetime against the host's clock, the request tenant and its
/// copy's version (a retired key or changed settings make a new version, and the entry no longer
/// counts), the token type for the scheme, the claims' rules and the session or client check
/// (<see cref="TokenValidation.CheckAsync"/>). Only tokens that passed the whole validation get in,
/// so garbage cannot fill it; at most <see cref="ValidatedTokenOptions.MaxEntries"/> are kept.
/// When it is full, a sweep (at most one per <see cref="SweepInterval"/>) drops the expired tokens
/// and those not presented since the sweep before; while every kept token is in use, a new one is
/// validated in full each time and not kept. A working set just above the bound then costs the
/// full validation of the tokens that did not fit, not of the whole set: dropping an arbitrary
/// share made room for tokens that pushed out others in use, which came back and pushed out more.
/// </summary>
public sealed class ValidatedTokens
{
    /// <summary>The shortest time between two sweeps, and so the least idle time that gets a token dropped.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Entry> _entries;
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byText;
    private readonly Lock _sweep = new();
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;
    private int _count;

    private readonly TimeProvider _time;
    private readonly IOptions<ValidatedTokenOptions> _options;

    public ValidatedTokens(TimeProvider time, IOptions<ValidatedTokenOptions> options)
    {
        _time = time;
        _options = options;
        _entries = new(StringComparer.Ordinal);
        _byText = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool Enabled => _options.Value.Enabled;

    /// <summary>How many tokens are kept (for tests and diagnostics).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The entry of <paramref name="token"/> when it was verified under this very tenant copy and
    /// its lifetime still holds now; otherwise null (the caller validates it in full). The token is
    /// looked up as the request carries it, without a copy of its text.
    /// </summary>
    public Entry? Find(ReadOnlySpan<char> token, TenantInfo tenant)
    {
        if (!_byText.TryGetValue(token, out var key, out var entry)) return null;
        if (entry.TenantId != tenant.Id || entry.TenantVersion != tenant.Version) return null;
        if (!TokenValidation.IsWithinLifetime(entry.NotBefore, entry.Expires, _time))
        {
            Remove(key, entry);
            return null;
        }
        // Read before written: a token in steady use does not dirty its entry on every request.
        if (entry.Idle) entry.Idle = false;
        return entry;
    }

    /// <summary>Keeps a token that has just passed the whole validation, with what its signature check produced.</summary>
    /// <param name="facts">What the contract's rules read of it (the parsed token itself is not kept).</param>
    /// <param name="claims">The token's own claims, without those a request's check added.</param>
    /// <param name="identity">The identity the handler made of them (its type and claim types are kept).</param>
    public void Add(string token, JsonWebToken jwt, TokenFacts facts, Claim[] claims, ClaimsIdentity identity, TenantInfo tenant)
    {
        var entry = new Entry(facts, claims, identity is Microsoft.IdentityModel.Tokens.CaseSensitiveClaimsIdentity,
            identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType, tenant.Id, tenant.Version,
            jwt.TryGetClaim(JwtRegisteredClaimNames.Nbf, out _) ? jwt.ValidFrom : null, jwt.TryGetClaim(JwtRegisteredClaimNames.Exp, out _) ? jwt.ValidTo : null);
        if (_entries.TryGetValue(token, out var existing))
        {
            _entries.TryUpdate(token, entry, existing);
            return;
        }
        if (HasRoom() && _entries.TryAdd(token, entry)) Interlocked.Increment(ref _count);
    }

    private void Remove(string token, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, Entry>(token, entry))) Interlocked.Decrement(ref _count);
    }

    /// <summary>
    /// Whether a token can be added: below the bound, or once a sweep has made room. A sweep drops
    /// the expired tokens and those no request presented since the previous sweep, and marks the
    /// others idle (a request presenting one clears its mark).
    /// </summary>
    private bool HasRoom()
    {
        var max = _options.Value.MaxEntries;
        if (Volatile.Read(ref _count) < max) return true;
        var now = _time.GetUtcNow();
        lock (_sweep)
        {
            if (Volatile.Read(ref _count) < max) return true;
            if (now < _nextSweep) return false;
            _nextSweep = now + SweepInterval;
            foreach (var (token, entry) in _entries)
            {
                if (entry.Idle || !TokenValidation.IsWithinLifetime(entry.NotBefore, entry.Expires, _time)) Remove(token, entry);
                else entry.Idle = true;
            }
        }
        return Volatile.Read(ref _count) < max;
    }

    /// <summary>What the signature check produced for one token, and under which tenant copy.</summary>
    public sealed record Entry(
        TokenFacts Facts, Claim[] Claims, bool CaseSensitive, string? AuthenticationType, string NameClaimType, string RoleClaimType,
        string TenantId, int TenantVersion, DateTime? NotBefore, DateTime? Expires)
    {
        /// <summary>Not presented since the last sweep (set by the sweep, cleared by a request).</summary>
        public bool Idle { get; set; }

        /// <summary>A fresh identity of the token's own claims (each request adds its check's claims to its own).</summary>
        public ClaimsIdentity NewIdentity() => CaseSensitive
            ? new Microsoft.IdentityModel.Tokens.CaseSensitiveClaimsIdentity(Claims, AuthenticationType!, NameClaimType, RoleClaimType)
            : new ClaimsIdentity(Claims, AuthenticationType, NameClaimType, RoleClaimType);
    }
}
