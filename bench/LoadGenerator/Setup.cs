using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>A setup step failed: the message says which and why (never with a token in it).</summary>
public sealed class SetupException(string message) : Exception(message);

/// <summary>
/// Gets the virtual users ready: logs in as admin, creates the bench users that are missing
/// (looked up first; 409 "Username already exists" means reuse too), logs each one in once and, for validate-app,
/// gets each one an application token. Each step runs at most <see cref="Options.SetupParallelism"/>
/// calls at once, since each creation and each login costs the server an Argon2id hash.
/// client-credentials registers one client per virtual user instead; code-flow the users and one
/// public client per virtual user; the peer scenarios use what the peer seeded.
/// </summary>
public sealed class Setup(Options options, ApiClient api)
{
    /// <summary>code-flow: the round trip, once the setup has read the issuer; null for the other scenarios.</summary>
    public CodeFlow? CodeFlow { get; private set; }

    public async Task<VirtualUser[]> PrepareAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (options.Scenario == Scenario.NoToken)
            return [.. Enumerable.Range(0, options.Users).Select(i => new VirtualUser(i, options.Username(i), []))];
        if (options.TokensFile is not null) return await PrepareFromTokensAsync(clock, ct).ConfigureAwait(false);
        if (options.Scenario == Scenario.PeerClientCredentials) return await PreparePeerClientsAsync(ct).ConfigureAwait(false);
        if (options.IsPeer) return await PreparePeerAsync(ct).ConfigureAwait(false);

        var adminBearer = await AdminBearerAsync(ct).ConfigureAwait(false);
        if (options.Scenario == Scenario.ClientCredentials) return await PrepareClientsAsync(adminBearer, ct).ConfigureAwait(false);
        if (options.Scenario == Scenario.CodeFlow) return await PrepareCodeFlowAsync(adminBearer, clock, ct).ConfigureAwait(false);

        var users = new VirtualUser[options.Users];
        for (var i = 0; i < users.Length; i++)
        {
            var name = options.Username(i);
            users[i] = new VirtualUser(i, name, ApiClient.LoginBody(name, options.UserPassword));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };

        // 1. The users: found or created.
        await EnsureUsersAsync(adminBearer, users, clock, ct).ConfigureAwait(false);

        // 2. One login each, 3. an application token each (validate-app).
        var loginClock = Stopwatch.StartNew();
        var recycled = 0;
        await Parallel.ForEachAsync(users, parallel, async (user, token) =>
        {
            await LoginOnceAsync(user, token).ConfigureAwait(false);
            if (options.Scenario != Scenario.ValidateApp) return;

            var answer = await api.ApplicationTokenAsync(user.RefreshBearer!, token).ConfigureAwait(false);
            if (answer.Status == HttpStatusCode.Conflict)
            {
                // The user holds its cap of application tokens from earlier runs: an admin setting
                // its password ends all of its sessions and tokens; log in again and retry once.
                var reset = await api.SetPasswordAsync(adminBearer, user.UserId, options.UserPassword, token).ConfigureAwait(false);
                if (!reset.IsSuccess)
                    throw new SetupException($"{user.Username} is at its application token cap, and resetting its sessions failed: {reset.Describe()} (use another --user-prefix)");
                Interlocked.Increment(ref recycled);
                await LoginOnceAsync(user, token).ConfigureAwait(false);
                answer = await api.ApplicationTokenAsync(user.RefreshBearer!, token).ConfigureAwait(false);
            }
            if (!answer.IsSuccess)
                throw new SetupException($"application token for {user.Username} failed: {answer.Describe()}");
            user.AppBearer = ApiClient.Bearer(answer.String("token")
                ?? throw new SetupException($"application token answer for {user.Username} has no token"));
        }).ConfigureAwait(false);
        Log($"setup: {users.Length} users logged in{(options.Scenario == Scenario.ValidateApp ? " with an application token each" : "")}"
            + (recycled > 0 ? $" ({recycled} had their old sessions ended at the application token cap)" : "")
            + $" in {loginClock.Elapsed.TotalSeconds:0.0} s");
        return users;
    }

    /// <summary>
    /// Finds the bench users that exist already (a cheap read) and creates the others. A lookup that
    /// fails (an API without the list) falls back to creating: 409 "Username already exists" is reuse too.
    /// </summary>
    private async Task EnsureUsersAsync(string adminBearer, VirtualUser[] users, Stopwatch clock, CancellationToken ct)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };
        int created = 0, reused = 0;
        var lookups = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism * 4, CancellationToken = ct };
        var missing = new System.Collections.Concurrent.ConcurrentBag<VirtualUser>();
        await Parallel.ForEachAsync(users, lookups, async (user, token) =>
        {
            var (found, type, _) = await api.FindUserAsync(adminBearer, user.Username, token).ConfigureAwait(false);
            if (!found)
            {
                missing.Add(user);
                return;
            }
            if (type is not null && type != options.UserType)
                throw new SetupException($"{user.Username} exists with type '{type}', the scenario needs '{options.UserType}' (use another --user-prefix)");
            Interlocked.Increment(ref reused);
        }).ConfigureAwait(false);
        await Parallel.ForEachAsync(missing, parallel, async (user, token) =>
        {
            var answer = await api.CreateUserAsync(adminBearer, user.Username, options.UserPassword, options.UserType, token).ConfigureAwait(false);
            if (answer.IsSuccess) Interlocked.Increment(ref created);
            else if (answer.Status == HttpStatusCode.Conflict && answer.Describe().Contains("Username already exists", StringComparison.Ordinal))
                Interlocked.Increment(ref reused);
            else throw new SetupException($"creating user {user.Username} failed: {answer.Describe()}");
        }).ConfigureAwait(false);
        Log($"setup: {created} users created, {reused} reused ({options.UserType}, prefix '{options.UserPrefix}') in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>--tokens: virtual user i takes lines i, i + users, …; nothing is asked of the service.</summary>
    private async Task<VirtualUser[]> PrepareFromTokensAsync(Stopwatch clock, CancellationToken ct)
    {
        var lines = new List<(string Tenant, string Access, string Refresh)>();
        foreach (var line in await File.ReadAllLinesAsync(options.TokensFile!, ct).ConfigureAwait(false))
        {
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (parts.Length != 3 || parts.Any(p => p.Length == 0))
                throw new SetupException($"--tokens: line {lines.Count + 1} is not \"tenant<TAB>access token<TAB>refresh token\"");
            lines.Add((parts[0], parts[1], parts[2]));
        }
        if (lines.Count < options.Users)
            throw new SetupException($"--tokens: {lines.Count} sessions for {options.Users} virtual users (each needs one of its own)");
        var users = new VirtualUser[options.Users];
        for (var i = 0; i < users.Length; i++)
        {
            var mine = Enumerable.Range(0, (lines.Count - i + users.Length - 1) / users.Length).Select(k => lines[i + k * users.Length]).ToArray();
            users[i] = new VirtualUser(i, $"tokens-{i + 1:D4}", [])
            {
                SlotTenants = [.. mine.Select(m => m.Tenant)],
                SlotAccessBearers = [.. mine.Select(m => ApiClient.Bearer(m.Access))],
                SlotRefreshBearers = [.. mine.Select(m => ApiClient.Bearer(m.Refresh))],
            };
        }
        Log($"setup: {lines.Count} sessions in {lines.Select(l => l.Tenant).Distinct(StringComparer.Ordinal).Count()} tenants from {options.TokensFile}, "
            + $"{lines.Count / users.Length}-{(lines.Count + users.Length - 1) / users.Length} per virtual user, in {clock.Elapsed.TotalSeconds:0.0} s");
        return users;
    }

    private async Task<string> AdminBearerAsync(CancellationToken ct)
    {
        var admin = await api.LoginAsync(ApiClient.LoginBody(options.AdminUsername, options.AdminPassword), ct).ConfigureAwait(false);
        if (!admin.IsSuccess)
            throw new SetupException($"admin login ({options.AdminUsername}) failed: {admin.Describe()}");
        return ApiClient.Bearer(admin.String("accessToken")
            ?? throw new SetupException("admin login answered without an accessToken"));
    }

    /// <summary>
    /// client-credentials: the scope in the tenant's <c>apiScopes</c> (added when missing, the others
    /// kept), then one confidential client per virtual user (<c>client_secret_basic</c>, the
    /// client_credentials grant, the scope allowed, <c>rateLimitPerMinute</c> null: no per-client
    /// quota, so the run is never throttled). A client left by an earlier run (409) is deleted and
    /// registered again: its secret was shown once, to that run. Each client gets one token before
    /// the warm-up, which checks the whole chain.
    /// </summary>
    private async Task<VirtualUser[]> PrepareClientsAsync(string adminBearer, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await EnsureTenantScopeAsync(adminBearer, ct).ConfigureAwait(false);

        var users = new VirtualUser[options.Users];
        var form = Runner.ClientCredentialsForm(options);
        for (var i = 0; i < users.Length; i++) users[i] = new VirtualUser(i, options.Username(i), []) { TokenForm = form };

        int created = 0, replaced = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(users, parallel, async (user, token) =>
        {
            var name = $"Benchmark client {user.Index + 1}";
            var answer = await api.CreateClientAsync(adminBearer, user.Username, name, options.Scope, token).ConfigureAwait(false);
            if (answer.Status == HttpStatusCode.Conflict)
            {
                var deleted = await api.DeleteClientAsync(adminBearer, user.Username, token).ConfigureAwait(false);
                if (!deleted.IsSuccess && deleted.Status != HttpStatusCode.NotFound)
                    throw new SetupException($"deleting the earlier client {user.Username} failed: {deleted.Describe()}");
                answer = await api.CreateClientAsync(adminBearer, user.Username, name, options.Scope, token).ConfigureAwait(false);
                Interlocked.Increment(ref replaced);
            }
            else Interlocked.Increment(ref created);
            if (!answer.IsSuccess) throw new SetupException($"registering client {user.Username} failed: {answer.Describe()}");
            var secret = answer.String("clientSecret")
                ?? throw new SetupException($"registering client {user.Username} answered without a clientSecret");
            user.ClientAuthorization = ApiClient.BasicAuthorization(user.Username, secret);
            await FirstTokenAsync(api.TokenUri, user, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        Log($"setup: {created} clients registered, {replaced} registered again (prefix '{options.UserPrefix}', scope {options.Scope}, no rate limit), "
            + $"one token each, in {clock.Elapsed.TotalSeconds:0.0} s");
        return users;
    }

    /// <summary>
    /// code-flow: the issuer from the tenant's discovery document (which <c>iss</c> must equal), the
    /// bench users (found or created, as for login), one public client per virtual user
    /// (<c>P-code-client-0001</c>.., the code flow and refresh, the one redirect URI
    /// <see cref="Options.CodeFlowRedirectUri"/>, openid and offline_access, no consent, no rate
    /// limit; a client left by an earlier run is deleted and registered again, so its registration is
    /// this run's), then one whole round trip per virtual user before the warm-up, which checks the
    /// chain: the password, the sign-in page, the code, the token answer.
    /// </summary>
    private async Task<VirtualUser[]> PrepareCodeFlowAsync(string adminBearer, Stopwatch clock, CancellationToken ct)
    {
        var discovery = await api.CallAsync(ApiClient.BareRequest(HttpMethod.Get, api.DiscoveryUri, null), ct).ConfigureAwait(false);
        if (!discovery.IsSuccess) throw new SetupException($"reading the discovery document ({api.DiscoveryUri}) failed: {discovery.Describe()}");
        var issuer = discovery.String("issuer") ?? throw new SetupException($"the discovery document ({api.DiscoveryUri}) names no issuer");
        CodeFlow = new CodeFlow(api, issuer);

        var users = new VirtualUser[options.Users];
        var password = "&password=" + Uri.EscapeDataString(options.UserPassword);
        for (var i = 0; i < users.Length; i++)
        {
            var name = options.Username(i);
            var clientId = options.CodeClientId(i);
            users[i] = new VirtualUser(i, name, [])
            {
                ClientId = clientId,
                AuthorizeQueryPrefix = CodeFlow.AuthorizeQueryPrefix(clientId),
                CredentialsForm = "&username=" + Uri.EscapeDataString(name) + password,
            };
        }
        await EnsureUsersAsync(adminBearer, users, clock, ct).ConfigureAwait(false);

        var clientClock = Stopwatch.StartNew();
        int created = 0, replaced = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(users, parallel, async (user, token) =>
        {
            var clientId = user.ClientId!;
            var name = $"Benchmark app {user.Index + 1}";
            var answer = await api.CreatePublicClientAsync(adminBearer, clientId, name, Options.CodeFlowRedirectUri, token).ConfigureAwait(false);
            if (answer.Status == HttpStatusCode.Conflict)
            {
                var deleted = await api.DeleteClientAsync(adminBearer, clientId, token).ConfigureAwait(false);
                if (!deleted.IsSuccess && deleted.Status != HttpStatusCode.NotFound)
                    throw new SetupException($"deleting the earlier client {clientId} failed: {deleted.Describe()}");
                answer = await api.CreatePublicClientAsync(adminBearer, clientId, name, Options.CodeFlowRedirectUri, token).ConfigureAwait(false);
                Interlocked.Increment(ref replaced);
            }
            else Interlocked.Increment(ref created);
            if (!answer.IsSuccess) throw new SetupException($"registering client {clientId} failed: {answer.Describe()}");

            string? error;
            try
            {
                error = await CodeFlow.RoundTripAsync(user, token).ConfigureAwait(false);
            }
            catch (StepException e)
            {
                error = ErrorBook.DescribeException(e, options.TimeoutSeconds);
            }
            if (error is not null)
                throw new SetupException($"the first round trip of {user.Username} with {clientId} failed: {error}"
                    + (error.StartsWith(CodeFlow.SignInStep + ": 401", StringComparison.Ordinal)
                        ? " (an existing user with another password? use another --user-prefix or --user-password)" : ""));
        }).ConfigureAwait(false);
        Log($"setup: {created} public clients registered, {replaced} registered again (prefix '{options.UserPrefix}', redirect URI "
            + $"{Options.CodeFlowRedirectUri}, issuer {issuer}), one round trip each, in {clientClock.Elapsed.TotalSeconds:0.0} s");
        return users;
    }

    /// <summary>Adds the scope to the tenant's <c>apiScopes</c> unless it is there: the list is replaced whole, so the others are written back.</summary>
    private async Task EnsureTenantScopeAsync(string adminBearer, CancellationToken ct)
    {
        var tenant = await api.GetTenantAsync(adminBearer, ct).ConfigureAwait(false);
        if (!tenant.IsSuccess) throw new SetupException($"reading the tenant ({api.TenantUri}) failed: {tenant.Describe()}");
        var scopes = tenant.Json() is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("settings", out var settings)
            && settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("apiScopes", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        if (scopes.Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == options.Scope))
            return;
        var changed = await api.SetApiScopesAsync(adminBearer, w =>
        {
            w.WriteStartArray();
            foreach (var scope in scopes) scope.WriteTo(w);
            w.WriteStartObject();
            w.WriteString("name", options.Scope);
            w.WriteString("description", "Benchmark load");
            w.WriteEndObject();
            w.WriteEndArray();
        }, ct).ConfigureAwait(false);
        if (!changed.IsSuccess) throw new SetupException($"adding scope {options.Scope} to the tenant's apiScopes failed: {changed.Describe()}");
        Log($"setup: scope {options.Scope} added to the tenant's apiScopes");
    }

    /// <summary>peer-client-credentials: the peer seeds its clients itself (one shared secret); each gets one token before the warm-up.</summary>
    private async Task<VirtualUser[]> PreparePeerClientsAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var users = new VirtualUser[options.Users];
        var form = Runner.ClientCredentialsForm(options);
        for (var i = 0; i < users.Length; i++)
        {
            var id = options.Username(i);
            users[i] = new VirtualUser(i, id, []) { TokenForm = form, ClientAuthorization = ApiClient.BasicAuthorization(id, options.ClientSecret) };
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(users, parallel, (user, token) => new ValueTask(FirstTokenAsync(api.PeerTokenUri, user, token))).ConfigureAwait(false);
        Log($"setup: {users.Length} peer clients got a token each in {clock.Elapsed.TotalSeconds:0.0} s");
        return users;
    }

    private async Task FirstTokenAsync(Uri tokenUri, VirtualUser user, CancellationToken ct)
    {
        var answer = await api.CallAsync(ApiClient.FormRequest(tokenUri, user.TokenForm!, user.ClientAuthorization!), ct).ConfigureAwait(false);
        if (answer.Status != HttpStatusCode.OK || string.IsNullOrEmpty(answer.String("access_token")))
            throw new SetupException($"client_credentials grant for {user.Username} failed: {answer.Describe()}"
                + (answer.Status == HttpStatusCode.Unauthorized && options.IsPeer ? " (the peer's clients seeded with another secret? see --client-secret)" : ""));
    }

    /// <summary>The peer seeds its users itself: each virtual user signs in once with the password grant.</summary>
    private async Task<VirtualUser[]> PreparePeerAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var users = new VirtualUser[options.Users];
        for (var i = 0; i < users.Length; i++)
        {
            var name = options.Username(i);
            users[i] = new VirtualUser(i, name, [])
            {
                PeerLoginForm = ApiClient.Form(("grant_type", "password"), ("client_id", options.ClientId),
                    ("username", name), ("password", options.UserPassword), ("scope", "offline_access")),
            };
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(users, parallel, async (user, token) =>
        {
            var answer = await api.CallAsync(ApiClient.FormRequest(api.PeerTokenUri, user.PeerLoginForm!), token).ConfigureAwait(false);
            if (!answer.IsSuccess) throw new SetupException($"peer password grant for {user.Username} failed: {answer.Describe()}");
            var refresh = answer.String("refresh_token")
                ?? throw new SetupException($"peer password grant for {user.Username} answered without a refresh_token (scope offline_access?)");
            user.PeerRefreshForm = Runner.PeerRefreshForm(options, refresh);
        }).ConfigureAwait(false);
        Log($"setup: {users.Length} peer users signed in in {clock.Elapsed.TotalSeconds:0.0} s");
        return users;
    }

    private async Task LoginOnceAsync(VirtualUser user, CancellationToken ct)
    {
        var answer = await api.LoginAsync(user.LoginBody, ct).ConfigureAwait(false);
        if (!answer.IsSuccess)
        {
            var hint = answer.Status == HttpStatusCode.Unauthorized
                ? " (an existing user with another password? use another --user-prefix or --user-password)"
                : "";
            throw new SetupException($"login of {user.Username} failed: {answer.Describe()}{hint}");
        }
        var access = answer.String("accessToken");
        var refresh = answer.String("refreshToken");
        var id = answer.Int("id");
        if (access is null || refresh is null || id is null)
            throw new SetupException($"login of {user.Username} answered without accessToken, refreshToken or id");
        user.AccessBearer = ApiClient.Bearer(access);
        user.RefreshBearer = ApiClient.Bearer(refresh);
        user.UserId = id.Value;
    }

    private static void Log(string message) => Console.Error.WriteLine(message);
}
