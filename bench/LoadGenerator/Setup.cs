using System.Diagnostics;
using System.Net;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>A setup step failed: the message says which and why (never with a token in it).</summary>
public sealed class SetupException(string message) : Exception(message);

/// <summary>
/// Gets the virtual users ready: logs in as admin, creates the bench users that are missing
/// (looked up first; 409 "Username already exists" means reuse too), logs each one in once and, for validate-app,
/// gets each one an application token. Each step runs at most <see cref="Options.SetupParallelism"/>
/// calls at once, since each creation and each login costs the server an Argon2id hash.
/// </summary>
public sealed class Setup(Options options, ApiClient api)
{
    public async Task<VirtualUser[]> PrepareAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (options.IsPeer) return await PreparePeerAsync(ct).ConfigureAwait(false);

        var admin = await api.LoginAsync(ApiClient.LoginBody(options.AdminUsername, options.AdminPassword), ct).ConfigureAwait(false);
        if (!admin.IsSuccess)
            throw new SetupException($"admin login ({options.AdminUsername}) failed: {admin.Describe()}");
        var adminBearer = ApiClient.Bearer(admin.String("accessToken")
            ?? throw new SetupException("admin login answered without an accessToken"));

        var users = new VirtualUser[options.Users];
        for (var i = 0; i < users.Length; i++)
        {
            var name = options.Username(i);
            users[i] = new VirtualUser(i, name, ApiClient.LoginBody(name, options.UserPassword));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct };

        // 1. Find the users that exist already (a cheap read), create the others. A lookup that fails
        //    (an API without the list) falls back to creating: 409 "Username already exists" is reuse too.
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
