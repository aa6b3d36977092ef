using System.Collections.Immutable;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Directory;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Security;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using static ItemPathOrleans.Contracts.Model.ClientVocabulary;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// One registered client (key <c>tenant/clientId</c>): the single writer of its registration,
/// secret digests, used assertion ids, revoked token ids and status; its per-minute quota lives in
/// memory. A <c>client_credentials</c> token with a secret is one call here and no write: a SHA-256,
/// constant-time comparisons, the mint. A <c>private_key_jwt</c> assertion costs one write (its
/// <c>jti</c>, stored before any answer, so a replay is refused on any activation after a failure).
/// The grain of <see cref="ConsoleClient.ClientId"/> answers the console's built-in registration
/// (never stored) and refuses every change of it.
/// </summary>
public sealed partial class ClientGrain(
    [PersistentState("client", StorageNames.Grains)] IPersistentState<ClientState> state,
    TenantCache tenants,
    TokenMinter minter,
    IOptions<TokensOptions> tokens,
    IClientDirectory directory,
    SecurityEvents securityEvents,
    TimeProvider time,
    ILogger<ClientGrain> logger) : Grain, IClientGrain
{
    /// <summary>Most revoked tokens kept per client until they expire.</summary>
    internal const int MaxRevokedTokens = 10_000;

    private readonly ClientQuota _quota = new();
    private (string Json, ClientJwks Keys)? _jwks;
    private string Tenant => GrainKeys.ParseClient(this.GetPrimaryKeyString()).Tenant;
    private string ClientId => GrainKeys.ParseClient(this.GetPrimaryKeyString()).ClientId;
    private ClientState S => state.State;
    private bool IsConsole => ConsoleClient.Is(ClientId);
    private ClientInfo? _console;

    /// <summary>The registration that counts: the console's built-in one for its id, else the stored one.</summary>
    private async ValueTask<ClientInfo?> CurrentAsync()
    {
        if (!IsConsole) return S.Info;
        if (_console is null && await tenants.FindAsync(Tenant) is { } tenant)
            _console = ConsoleClient.For(Tenant, tokens.Value.IssuerFor(Tenant), tenant.CreatedAt);
        return _console;
    }

    public async Task<ClientChangeResult> Create(ClientFields fields)
    {
        if (S.Info is not null || IsConsole) return ClientChangeResult.Fail(ClientChangeError.Exists, "Client already exists");
        var now = time.GetUtcNow();
        var settings = (await tenants.GetAsync(Tenant)).Settings;
        var (client, error) = ClientRules.Create(Tenant, ClientId, fields, settings, now);
        if (client is null) return ClientChangeResult.Fail(ClientChangeError.Invalid, error);

        S.Secrets = [];
        var (secret, secretInfo) = UsesSecret(client.TokenEndpointAuthMethod) ? NewSecret(now) : (null, null);
        S.Info = WithSecrets(client);
        // A client deleted and created again under the same id: nothing issued before counts.
        S.TokensValidFrom = Math.Max(S.TokensValidFrom, now.ToUnixTimeSeconds());
        await WriteAsync(SecurityEventNames.ClientCreated, $"client {ClientId} created ({client.Type}, {client.TokenEndpointAuthMethod})");
        return new ClientChangeResult(ClientChangeError.None, S.Info, null, secret, secretInfo);
    }

    public async Task<ClientInfo?> Get() => await CurrentAsync();

    public async Task<ClientChangeResult> Update(ClientFields fields)
    {
        if (IsConsole) return ClientChangeResult.Fail(ClientChangeError.Exists, ConsoleClient.Unchangeable);
        if (S.Info is not { } before) return ClientChangeResult.Fail(ClientChangeError.NotFound, "Client not found");
        var now = time.GetUtcNow();
        var settings = (await tenants.GetAsync(Tenant)).Settings;
        var (client, error) = ClientRules.Change(before, fields, settings, now);
        if (client is null) return ClientChangeResult.Fail(ClientChangeError.Invalid, error);

        // A client that moves to a secret method without any secret gets one, shown in this answer.
        var (secret, secretInfo) = UsesSecret(client.TokenEndpointAuthMethod) && S.Secrets.Count == 0 ? NewSecret(now) : (null, null);
        if (client.Disabled && !before.Disabled) S.TokensValidFrom = now.ToUnixTimeSeconds() + 1;
        S.Info = WithSecrets(client);
        var change = client.Disabled == before.Disabled ? "changed" : client.Disabled ? "disabled: its tokens stop" : "enabled";
        await WriteAsync(SecurityEventNames.ClientChanged, $"client {ClientId} {change}");
        return new ClientChangeResult(ClientChangeError.None, S.Info, null, secret, secretInfo);
    }

    public async Task<bool> Delete()
    {
        if (S.Info is null || IsConsole) return false;
        // The state stays (TokensValidFrom, the used assertion ids): a client created again under
        // this id must not revive the tokens of this one, nor take its assertions.
        S.Info = null;
        S.Secrets = [];
        S.RevokedTokens.Clear();
        S.TokensValidFrom = time.GetUtcNow().ToUnixTimeSeconds() + 1;
        await state.WriteOrDeactivateAsync(this);
        await directory.DeleteAsync(Tenant, ClientId);
        await RecordAsync(SecurityEventNames.ClientDeleted, $"client {ClientId} deleted: its tokens stop");
        return true;
    }

    public async Task<ClientChangeResult> AddSecret()
    {
        if (IsConsole) return ClientChangeResult.Fail(ClientChangeError.Exists, ConsoleClient.Unchangeable);
        if (S.Info is not { } client) return ClientChangeResult.Fail(ClientChangeError.NotFound, "Client not found");
        if (S.Secrets.Count >= MaxSecrets) return ClientChangeResult.Fail(ClientChangeError.Invalid, $"A client holds at most {MaxSecrets} secrets: delete one first");
        var (secret, secretInfo) = NewSecret(time.GetUtcNow());
        S.Info = WithSecrets(client);
        await WriteAsync(SecurityEventNames.ClientSecretAdded, $"client {ClientId} secret {secretInfo.Id} added");
        return new ClientChangeResult(ClientChangeError.None, S.Info, null, secret, secretInfo);
    }

    /// <summary>Enough for a rollover or two; a bound on what every authentication compares.</summary>
    internal const int MaxSecrets = 5;

    public async Task<bool> RemoveSecret(string secretId)
    {
        if (S.Info is not { } client || IsConsole || S.Secrets.RemoveAll(s => s.Id == secretId) == 0) return false;
        S.Info = WithSecrets(client);
        await WriteAsync(SecurityEventNames.ClientSecretRemoved, $"client {ClientId} secret {secretId} removed");
        return true;
    }

    public async Task<ClientGrantResult> Authenticate(ClientProof proof, string? grantType, string? scope)
    {
        var now = time.GetUtcNow();
        var client = await CurrentAsync();
        if (client is null && proof.Method == None) return ClientGrantResult.Fail(ClientGrantError.NotRegistered);
        var before = S.UsedAssertions.Count;
        var used = new ExpiringIdSet(S.UsedAssertions, ClientAuthentication.MaxUsedAssertions);
        var issuer = tokens.Value.IssuerFor(Tenant);
        if (!ClientAuthentication.Authenticates(proof, client, S.Secrets, Keys, used, [issuer, issuer + "/oauth/token"], now))
            return ClientGrantResult.Fail(ClientGrantError.InvalidClient);
        // The assertion's jti is stored before anything is answered: a replay finds it on every activation.
        if (proof.Method == PrivateKeyJwt || S.UsedAssertions.Count != before) await state.WriteOrDeactivateAsync(this);

        if (grantType is null) return new ClientGrantResult(ClientGrantError.None, client!.ClientId);
        if (!client!.GrantTypes.Contains(grantType)) return ClientGrantResult.Fail(ClientGrantError.UnauthorizedClient, $"The client may not use the {grantType} grant");
        var tenant = await tenants.GetAsync(Tenant);
        if (ScopeRequest.Grant(scope, client, tenant.Settings) is not { } granted)
            return ClientGrantResult.Fail(ClientGrantError.InvalidScope, "The requested scope is not allowed for this client");
        if (client.RateLimitPerMinute is { } perMinute && !_quota.TryTake(perMinute, now, out var retryAfter))
            return new ClientGrantResult(ClientGrantError.RateLimited, RetryAfterSeconds: Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
        if (grantType != ClientCredentials) return new ClientGrantResult(ClientGrantError.None, client.ClientId, granted);

        var descriptor = ClientTokens.Describe(client, tenant.Settings, granted, S.TokensValidFrom, now);
        var token = minter.MintClientAccess(tenant, descriptor);
        return new ClientGrantResult(ClientGrantError.None, client.ClientId, granted, new IssuedToken(token, DateTimeOffset.FromUnixTimeSeconds(descriptor.ExpiresAt)));
    }

    public Task<ClientCheck> Check()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var revoked = new ExpiringIdSet(S.RevokedTokens, MaxRevokedTokens).Live(now).ToImmutableHashSet();
        return Task.FromResult(new ClientCheck(IsConsole || S.Info is { Disabled: false }, S.TokensValidFrom, revoked));
    }

    public async Task<bool> RevokeToken(string jti, long expiresAt)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var revoked = new ExpiringIdSet(S.RevokedTokens, MaxRevokedTokens);
        if (revoked.Contains(jti, now)) return true;
        // Kept while the token could still pass its expiry check.
        if (!revoked.TryAdd(jti, expiresAt + (long)Contracts.Tokens.TokenClaims.ClockSkew.TotalSeconds, now)) return false;
        await state.WriteOrDeactivateAsync(this);
        await RecordAsync(SecurityEventNames.ClientTokenRevoked, $"client {ClientId} token revoked");
        return true;
    }

    /// <summary>The client's keys, parsed once per activation and registration.</summary>
    private ClientJwks? Keys()
    {
        if (S.Info?.Jwks is not { } json) return null;
        if (_jwks is { } cached && cached.Json == json) return cached.Keys;
        var (keys, _) = ClientJwks.Parse(json);
        if (keys is null) return null;
        _jwks = (json, keys);
        return keys;
    }

    private (string Secret, ClientSecretInfo Info) NewSecret(DateTimeOffset now)
    {
        var (stored, secret) = ClientSecrets.Create(now);
        S.Secrets.Add(stored);
        return (secret, new ClientSecretInfo(stored.Id, stored.CreatedAt));
    }

    private ClientInfo WithSecrets(ClientInfo client) => client with { Secrets = S.Secrets.Select(s => new ClientSecretInfo(s.Id, s.CreatedAt)).ToList() };

    /// <summary>Stores the state, then the directory's copy (a view: a failure there is logged, the state is the truth), then the event.</summary>
    private async Task WriteAsync(string eventName, string detail)
    {
        await state.WriteOrDeactivateAsync(this);
        try
        {
            await directory.UpsertAsync(S.Info!);
        }
        catch (Exception ex)
        {
            LogDirectoryFailed(logger, ex, Tenant, ClientId);
        }
        await RecordAsync(eventName, detail);
    }

    private Task RecordAsync(string name, string detail) =>
        securityEvents.RecordAsync(new SecurityEvent(Tenant, null, name, detail, time.GetUtcNow()));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client directory update failed for a client of tenant {Tenant} ({ClientId})")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string tenant, string clientId);
}
