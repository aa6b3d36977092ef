using System.Globalization;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>What the generator measures.</summary>
public enum Scenario
{
    /// <summary>POST /api/users/login with the user's credentials (one Argon2id hash each).</summary>
    Login,
    /// <summary>POST /api/users/refresh with the user's refresh token (follows rotation).</summary>
    Refresh,
    /// <summary>GET /api/users/me (or <see cref="Options.Path"/>) with the user's access token.</summary>
    Validate,
    /// <summary>GET /api/users/me with an application token of an application user.</summary>
    ValidateApp,
    /// <summary>An OAuth 2.0 peer: POST connect/token, grant_type=password (form-encoded).</summary>
    PeerLogin,
    /// <summary>An OAuth 2.0 peer: POST connect/token, grant_type=refresh_token (follows rolling refresh tokens).</summary>
    PeerRefresh,
    /// <summary>POST /oauth/token, grant_type=client_credentials, one registered client per virtual user (client_secret_basic).</summary>
    ClientCredentials,
    /// <summary>An OAuth 2.0 peer: POST connect/token, grant_type=client_credentials, its clients P-client-0001.. (client_secret_basic).</summary>
    PeerClientCredentials,
    /// <summary>
    /// The authorization code flow with PKCE through the hosted sign-in page, in a new browser each time:
    /// authorize, the sign-in page, its form, the code to the redirect URI, the code redeemed.
    /// </summary>
    CodeFlow,
    /// <summary>
    /// GET <see cref="Options.Path"/> without a token: no setup, no admin, no users (a ceiling
    /// such as a bare proxy or the upstream itself, for the requests the token scenarios send with one).
    /// </summary>
    NoToken,
}

/// <summary>Command line options. Every bound is checked here, so a run is always bounded in time and load.</summary>
public sealed class Options
{
    public const string DefaultUserPassword = "Bench-Pass-2026!";
    public const int MaxUsers = 10_000;

    public required Scenario Scenario { get; init; }
    public required string ScenarioName { get; init; }
    public required Uri BaseUrl { get; init; }

    /// <summary>
    /// refresh and validate: more API nodes beside <see cref="BaseUrl"/>; virtual user i sends its
    /// requests to node i mod (1 + count), so the load spreads evenly over all of them.
    /// </summary>
    public IReadOnlyList<Uri> AlsoUrls { get; init; } = [];

    /// <summary>Where the admin calls of the setup go (a node with admin rights checked); the base URL by default.</summary>
    public required Uri AdminUrl { get; init; }
    public int Users { get; init; } = 64;
    public double DurationSeconds { get; init; } = 20;
    public double WarmupSeconds { get; init; } = 5;
    public required string AdminPassword { get; init; }
    public string AdminUsername { get; init; } = "admin";
    public string UserPrefix { get; init; } = "bench";
    public string UserPassword { get; init; } = DefaultUserPassword;
    public string? Tenant { get; init; }
    public string? OutFile { get; init; }
    public int SetupParallelism { get; init; } = 4;
    public double TimeoutSeconds { get; init; } = 10;
    public string ClientId { get; init; } = "bench";

    /// <summary>The scope the client_credentials scenarios request (and, on ItemPath, register in the tenant's apiScopes).</summary>
    public string Scope { get; init; } = DefaultScope;

    /// <summary>peer-client-credentials: the secret the peer seeded its clients with.</summary>
    public string ClientSecret { get; init; } = DefaultClientSecret;

    public const string DefaultScope = "bench:read";
    public const string DefaultClientSecret = "Bench-Client-Secret-2026-0123456789abcdefgh";

    /// <summary>The path validate, validate-app and no-token request on the base URL (e.g. /api/auth/verify, a gateway route).</summary>
    public string Path { get; init; } = "/api/users/me";

    /// <summary>
    /// refresh, validate: the sessions to use instead of bench users (lines "tenant TAB access TAB
    /// refresh", bench/Seeder --tokens): virtual user i takes lines i, i + users, i + 2 users, … and
    /// sends its requests with each in turn, with the line's tenant in X-Tenant. No setup, no admin.
    /// </summary>
    public string? TokensFile { get; init; }

    /// <summary>Processes whose CPU time is read just before and just after the measured window (name, pid).</summary>
    public IReadOnlyList<(string Name, int Pid)> CpuTargets { get; init; } = [];

    /// <summary>The scenario runs against an OAuth 2.0 peer's token endpoint: its users exist already, no admin is involved.</summary>
    public bool IsPeer => Scenario is Scenario.PeerLogin or Scenario.PeerRefresh or Scenario.PeerClientCredentials;

    /// <summary>code-flow: the redirect URI its clients register. Never contacted: the generator reads the Location header.</summary>
    public const string CodeFlowRedirectUri = "http://127.0.0.1:1/cb";

    /// <summary>code-flow: the scope requested, so the answer holds an ID token and a refresh token, as a login's holds a refresh token.</summary>
    public const string CodeFlowScope = "openid offline_access";

    /// <summary>The tenant whose issuer the code-flow scenario uses (<c>{url}{tenant}/oauth/authorize</c>).</summary>
    public string IssuerTenant => Tenant ?? "default";

    /// <summary>The scenario's virtual users are registered OAuth clients, not users.</summary>
    public bool IsClientCredentials => Scenario is Scenario.ClientCredentials or Scenario.PeerClientCredentials;

    public const string Usage = """
        LoadGenerator: closed-loop load for the ItemPath token service.

          dotnet bench/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll --scenario NAME [options]

          --scenario NAME          login | refresh | validate | validate-app          (required)
                                   | client-credentials (POST /oauth/token, one registered
                                   client per virtual user, registered by the setup)
                                   | code-flow (authorization code + PKCE through the hosted
                                   sign-in page, a new browser each time; one public client
                                   P-code-client-0001.. per virtual user, registered by the
                                   setup, and its bench user P-0001..)
                                   | peer-login | peer-refresh | peer-client-credentials (an
                                   OAuth 2.0 server's connect/token, its users P-0001.. and
                                   clients P-client-0001.. seeded by that server)
                                   | no-token (GET --path without a token; no setup)
          --url URL                base URL of the API            (default http://127.0.0.1:5080)
          --also-url URL[,URL..]   refresh, validate: more API nodes; virtual user i uses
                                   node i mod (1 + their number), --url being node 0
          --admin-url URL          base URL for the whole setup: admin calls, the users'
                                   logins and application tokens       (default: --url)
          --users N                virtual users, each with its own tokens (default 64, 1-10000)
          --duration S             measured seconds                      (default 20, 1-3600)
          --warmup S               seconds of load before measuring, not counted (default 5, 0-600)
          --admin-password P       password of the admin user "admin" (or environment variable
                                   ITEMPATH_ADMIN_PASSWORD, then Bootstrap__AdminPassword)
          --admin-user NAME        admin username                            (default admin)
          --user-prefix P          bench usernames: P-0001.. (type user), P-app-0001.. (type
                                   application); client ids: P-client-0001.., code-flow's
                                   P-code-client-0001..                    (default bench)
          --user-password P        shared password of the bench users (default Bench-Pass-2026!)
          --tenant T               send X-Tenant: T on every request      (default: no header)
          --out FILE               also write the JSON result to FILE
          --setup-parallelism N    user creations/logins at once during setup (default 4, 1-64)
          --timeout S              per-request timeout                      (default 10, 1-120)
          --client-id ID           peer-login, peer-refresh: the OAuth client_id (default bench)
          --scope S                client-credentials scenarios: the scope requested; on
                                   ItemPath added to the tenant's apiScopes (default bench:read)
          --client-secret S        peer-client-credentials: the peer's client secret (default:
                                   the peer's default, Peer:ClientSecret)
          --path PATH              validate, validate-app, no-token: the path requested on --url
                                   (with the token but for no-token; e.g. /api/auth/verify, a
                                   gateway route)
                                                                      (default /api/users/me)
          --tokens FILE            refresh, validate: sessions from FILE instead of bench users
                                   (lines "tenant<TAB>access token<TAB>refresh token", as
                                   bench/Seeder --tokens writes them): virtual user i uses lines
                                   i, i+N, i+2N.. in turn (N = --users), each request with its
                                   line's tenant in X-Tenant; no setup, no admin password
          --cpu NAME=PID[,...]     read each process's CPU time (with its direct children's, so
                                   PostgreSQL's postmaster counts its backends) just before and
                                   just after the measured window; the JSON gets "cpuMs"

        stdout: one JSON object {"scenario","users","durationSeconds","opsPerSec","p50Ms","p99Ms",
        "errors","requests"} (and "cpuMs" with --cpu); stderr: progress, a human summary line and the first distinct errors.
        Exit: 0 measured, 1 setup failed or nothing succeeded, 2 bad arguments, 130 interrupted.
        """;

    /// <summary>Parses the command line; throws <see cref="UsageException"/> with a message for the user.</summary>
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known =
        [
            "scenario", "url", "also-url", "admin-url", "users", "duration", "warmup", "admin-password", "admin-user", "user-prefix",
            "user-password", "tenant", "out", "setup-parallelism", "timeout", "client-id", "path", "scope", "client-secret",
            "cpu", "tokens",
        ];
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help") throw new UsageException(null);
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            string name, value;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Length) throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }
            if (Array.IndexOf(known, name) < 0) throw new UsageException($"unknown option --{name}");
            values[name] = value;
        }

        string? Get(string name) => values.TryGetValue(name, out var v) ? v : null;

        var scenarioName = Get("scenario") ?? throw new UsageException($"--scenario is required ({Scenarios})");
        var scenario = scenarioName switch
        {
            "login" => Scenario.Login,
            "refresh" => Scenario.Refresh,
            "validate" => Scenario.Validate,
            "validate-app" => Scenario.ValidateApp,
            "peer-login" => Scenario.PeerLogin,
            "peer-refresh" => Scenario.PeerRefresh,
            "client-credentials" => Scenario.ClientCredentials,
            "peer-client-credentials" => Scenario.PeerClientCredentials,
            "code-flow" => Scenario.CodeFlow,
            "no-token" => Scenario.NoToken,
            _ => throw new UsageException($"unknown scenario '{scenarioName}' ({Scenarios})"),
        };

        var url = BaseUri(Get("url") ?? "http://127.0.0.1:5080", "url");
        var adminUrl = Get("admin-url") is { } admin ? BaseUri(admin, "admin-url") : url;
        var alsoUrls = Get("also-url") is { } also
            ? also.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => BaseUri(u, "also-url")).ToList()
            : [];
        if (alsoUrls.Count > 15) throw new UsageException("--also-url takes at most 15 more nodes");
        if (alsoUrls.Count > 0 && scenario is not (Scenario.Refresh or Scenario.Validate))
            throw new UsageException("--also-url applies to refresh and validate only");

        var adminPassword = Get("admin-password")
            ?? NonEmpty(Environment.GetEnvironmentVariable("ITEMPATH_ADMIN_PASSWORD"))
            ?? NonEmpty(Environment.GetEnvironmentVariable("Bootstrap__AdminPassword"))
            ?? (scenario is Scenario.PeerLogin or Scenario.PeerRefresh or Scenario.PeerClientCredentials or Scenario.NoToken || Get("tokens") is not null ? "" : null)
            ?? throw new UsageException("--admin-password is required (or set ITEMPATH_ADMIN_PASSWORD)");

        var prefix = Get("user-prefix") ?? "bench";
        if (prefix.Length is 0 or > 100 || prefix.Any(char.IsControl) || prefix.Trim() != prefix)
            throw new UsageException("--user-prefix must be 1 to 100 characters, no control characters, no surrounding spaces");
        var userPassword = Get("user-password") ?? DefaultUserPassword;
        if (userPassword.Length is < 8 or > 1024) throw new UsageException("--user-password must be 8 to 1024 characters");

        var scope = Get("scope") ?? DefaultScope;
        // The tenant's apiScopes rule, so the setup's registration cannot fail on the name.
        if (scope.Length is 0 or > 64 || !scope.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or '_' or '/' or '-'))
            throw new UsageException("--scope must match ^[A-Za-z0-9:._/-]{1,64}$");
        var clientSecret = Get("client-secret") ?? DefaultClientSecret;
        if (clientSecret.Length is 0 or > 512 || clientSecret.Any(char.IsControl))
            throw new UsageException("--client-secret must be 1 to 512 characters, no control characters");

        var tenant = Get("tenant");
        if (tenant is not null && (tenant.Length is 0 or > 63 || !tenant.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
            throw new UsageException("--tenant must match ^[a-z0-9][a-z0-9-]{0,62}$");

        var tokens = Get("tokens");
        if (tokens is not null)
        {
            if (scenario is not (Scenario.Refresh or Scenario.Validate)) throw new UsageException("--tokens goes with the refresh and validate scenarios");
            if (tenant is not null) throw new UsageException("--tokens sends each line's own tenant: leave out --tenant");
            if (!File.Exists(tokens)) throw new UsageException($"--tokens: no file '{tokens}'");
        }

        return new Options
        {
            Scenario = scenario,
            ScenarioName = scenarioName,
            BaseUrl = url,
            AlsoUrls = alsoUrls,
            AdminUrl = adminUrl,
            Users = Int(Get("users"), "users", 64, 1, MaxUsers),
            DurationSeconds = Number(Get("duration"), "duration", 20, 1, 3600),
            WarmupSeconds = Number(Get("warmup"), "warmup", 5, 0, 600),
            AdminPassword = adminPassword,
            AdminUsername = Get("admin-user") ?? "admin",
            UserPrefix = prefix,
            UserPassword = userPassword,
            Tenant = tenant,
            OutFile = Get("out"),
            SetupParallelism = Int(Get("setup-parallelism"), "setup-parallelism", 4, 1, 64),
            TimeoutSeconds = Number(Get("timeout"), "timeout", 10, 1, 120),
            ClientId = Get("client-id") is { Length: > 0 and <= 200 } clientId ? clientId
                : Get("client-id") is null ? "bench" : throw new UsageException("--client-id must be 1 to 200 characters"),
            Scope = scope,
            ClientSecret = clientSecret,
            Path = Get("path") is { } path
                ? path.Length is > 1 and <= 1000 && path[0] == '/' && Uri.IsWellFormedUriString(path, UriKind.Relative) ? path
                    : throw new UsageException("--path must be an absolute path such as /api/auth/verify")
                : "/api/users/me",
            CpuTargets = Get("cpu") is { } cpu ? ParseCpuTargets(cpu) : [],
            TokensFile = tokens,
        };
    }

    private const string Scenarios = "login, refresh, validate, validate-app, client-credentials, code-flow, peer-login, peer-refresh, peer-client-credentials, no-token";

    /// <summary>The username (client id for the client_credentials scenarios) of virtual user <paramref name="index"/> (from 0).</summary>
    public string Username(int index) => Scenario switch
    {
        Scenario.ValidateApp => $"{UserPrefix}-app-{index + 1:D4}",
        Scenario.ClientCredentials or Scenario.PeerClientCredentials => $"{UserPrefix}-client-{index + 1:D4}",
        _ => $"{UserPrefix}-{index + 1:D4}",
    };

    /// <summary>code-flow: the client id of virtual user <paramref name="index"/> (from 0).</summary>
    public string CodeClientId(int index) => $"{UserPrefix}-code-client-{index + 1:D4}";

    /// <summary>The user type the scenario needs.</summary>
    public string UserType => Scenario == Scenario.ValidateApp ? "application" : "user";

    private static Uri BaseUri(string text, string option)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new UsageException($"--{option} must be an absolute http(s) URL, not '{text}'");
        // Relative paths ("api/users/login") then resolve under any path prefix of the URL.
        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.GetLeftPart(UriPartial.Path) + "/");
    }

    private static IReadOnlyList<(string Name, int Pid)> ParseCpuTargets(string text)
    {
        try
        {
            return ProcessCpu.ParseTargets(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--cpu takes NAME=PID[,NAME=PID...]: {e.Message}");
        }
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static int Int(string? text, string name, int fallback, int min, int max)
    {
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be an integer from {min} to {max}, not '{text}'");
        return v;
    }

    private static double Number(string? text, string name, double fallback, double min, double max)
    {
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
            throw new UsageException($"--{name} must be a number from {min} to {max}, not '{text}'");
        return v;
    }
}

/// <summary>A bad command line: the message (or the usage when null) goes to stderr, exit 2.</summary>
public sealed class UsageException(string? message) : Exception(message ?? "usage")
{
    public bool ShowUsageOnly { get; } = message is null;
}
