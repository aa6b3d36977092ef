using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>An answer read to the end: the status and the body (bounded).</summary>
public readonly record struct Answer(HttpStatusCode Status, byte[] Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public JsonElement? Json()
    {
        try
        {
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string? String(string name) =>
        Json() is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    public int? Int(string name) =>
        Json() is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var v) && v.TryGetInt32(out var i)
            ? i
            : null;

    /// <summary>"STATUS message", never a token.</summary>
    public string Describe() => ErrorBook.DescribeStatus(Status, Body);
}

/// <summary>
/// The one HttpClient of the process (one SocketsHttpHandler: HTTP/1.1, keep-alive, no proxy,
/// enough connections for every virtual user), the request shapes of the ItemPath API, and the
/// setup calls (admin login, user creation, logins, application tokens).
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const int MaxBodyBytes = 1 << 20;

    private readonly HttpClient _http;
    private readonly double _timeoutSeconds;

    public Uri LoginUri { get; }
    public Uri RefreshUri { get; }
    public Uri MeUri { get; }

    /// <summary>The refresh and validation URIs of every node: <see cref="RefreshUri"/> and <see cref="MeUri"/> first, then --also-url's.</summary>
    public Uri[] RefreshUris { get; }
    public Uri[] MeUris { get; }
    public Uri UsersUri { get; }
    public Uri PeerTokenUri { get; }

    /// <summary>The OAuth token endpoint of the request's tenant (X-Tenant with --tenant, else the default tenant).</summary>
    public Uri TokenUri { get; }
    public Uri ClientsUri { get; }

    /// <summary>The tenant the setup registers its scope in: --tenant, else <c>default</c>.</summary>
    public Uri TenantUri { get; }

    // code-flow: the tenant's OpenID Provider endpoints on the measured node, {url}{tenant}/...
    public Uri AuthorizeUri { get; }
    public Uri SignInUri { get; }
    public Uri IssuerTokenUri { get; }
    public Uri DiscoveryUri { get; }

    // The setup's logins and application tokens go where its admin calls go (--admin-url), so the
    // measured node may be one that serves only the measured path.
    private readonly Uri _setupLoginUri, _setupApplicationTokenUri;

    public ApiClient(Options options)
    {
        _timeoutSeconds = options.TimeoutSeconds;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            Proxy = null,
            MaxConnectionsPerServer = options.Users + options.SetupParallelism + 4,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(5, options.TimeoutSeconds)),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (options.Tenant is not null) _http.DefaultRequestHeaders.TryAddWithoutValidation("X-Tenant", options.Tenant);

        LoginUri = new Uri(options.BaseUrl, "api/users/login");
        RefreshUri = new Uri(options.BaseUrl, "api/users/refresh");
        MeUri = new Uri(options.BaseUrl, options.Path.TrimStart('/'));
        RefreshUris = [RefreshUri, .. options.AlsoUrls.Select(u => new Uri(u, "api/users/refresh"))];
        MeUris = [MeUri, .. options.AlsoUrls.Select(u => new Uri(u, options.Path.TrimStart('/')))];
        UsersUri = new Uri(options.AdminUrl, "api/users");
        PeerTokenUri = new Uri(options.BaseUrl, "connect/token");
        TokenUri = new Uri(options.BaseUrl, "oauth/token");
        ClientsUri = new Uri(options.AdminUrl, "api/clients");
        TenantUri = new Uri(options.AdminUrl, "api/tenants/" + Uri.EscapeDataString(options.Tenant ?? "default"));
        var issuer = new Uri(options.BaseUrl, options.IssuerTenant + "/");
        AuthorizeUri = new Uri(issuer, "oauth/authorize");
        SignInUri = new Uri(issuer, "login");
        IssuerTokenUri = new Uri(issuer, "oauth/token");
        DiscoveryUri = new Uri(issuer, ".well-known/openid-configuration");
        _setupLoginUri = new Uri(options.AdminUrl, "api/users/login");
        _setupApplicationTokenUri = new Uri(options.AdminUrl, "api/users/application-token");
    }

    public double TimeoutSeconds => _timeoutSeconds;

    // ---- request shapes (used by the load loop and the setup alike) --------------------------------

    /// <summary>POST with a JSON body (bytes) or, when <paramref name="json"/> is empty, a JSON content type and no body.</summary>
    public static HttpRequestMessage JsonRequest(HttpMethod method, Uri uri, byte[] json, string? bearer)
    {
        var content = new ByteArrayContent(json);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var request = new HttpRequestMessage(method, uri) { Content = content };
        if (bearer is not null) request.Headers.TryAddWithoutValidation("Authorization", bearer);
        return request;
    }

    /// <summary>POST application/x-www-form-urlencoded, the OAuth 2.0 token endpoint's shape.</summary>
    public static HttpRequestMessage FormRequest(Uri uri, byte[] form)
    {
        var content = new ByteArrayContent(form);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        return new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
    }

    /// <summary>A form POST with client authentication in the Authorization header (client_secret_basic).</summary>
    public static HttpRequestMessage FormRequest(Uri uri, byte[] form, string authorization)
    {
        var request = FormRequest(uri, form);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    /// <summary>RFC 6749 §2.3.1: <c>Basic base64(urlencode(id) ":" urlencode(secret))</c>.</summary>
    public static string BasicAuthorization(string clientId, string secret) =>
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(FormEncode(clientId) + ":" + FormEncode(secret)));

    // application/x-www-form-urlencoded: what Uri.EscapeDataString leaves unescaped is safe in it too.
    private static string FormEncode(string value) => Uri.EscapeDataString(value);

    public static byte[] Form(params (string Name, string Value)[] fields) =>
        System.Text.Encoding.ASCII.GetBytes(string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value))));

    public static HttpRequestMessage BareRequest(HttpMethod method, Uri uri, string? bearer)
    {
        var request = new HttpRequestMessage(method, uri);
        if (bearer is not null) request.Headers.TryAddWithoutValidation("Authorization", bearer);
        return request;
    }

    public static string Bearer(string token) => "Bearer " + token;

    /// <summary>Sends and reads the whole body into <paramref name="buffer"/> (grown up to 1 MiB, the rest drained).</summary>
    public async Task<(HttpStatusCode Status, int Length)> SendAsync(HttpRequestMessage request, Buffer buffer, CancellationToken ct)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return (response.StatusCode, await ReadAllAsync(stream, buffer, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// <see cref="SendAsync(HttpRequestMessage, Buffer, CancellationToken)"/> that also reads the
    /// <c>Location</c> header and the value of the cookie <paramref name="cookieName"/> from
    /// <c>Set-Cookie</c>, if any: what a browser keeps between two steps of a flow.
    /// </summary>
    public async Task<Reply> SendAsync(HttpRequestMessage request, Buffer buffer, string? cookieName, CancellationToken ct)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var location = response.Headers.Location;
        string? cookie = null;
        if (cookieName is not null && response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                // "name=value; path=/; ..."
                if (header.Length > cookieName.Length && header.StartsWith(cookieName, StringComparison.Ordinal) && header[cookieName.Length] == '=')
                {
                    var end = header.IndexOf(';', cookieName.Length);
                    cookie = header[(cookieName.Length + 1)..(end < 0 ? header.Length : end)];
                }
            }
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var length = await ReadAllAsync(stream, buffer, ct).ConfigureAwait(false);
        return new Reply(response.StatusCode, length, location, cookie);
    }

    private static async Task<int> ReadAllAsync(Stream stream, Buffer buffer, CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Bytes.Length)
            {
                if (length >= MaxBodyBytes)
                {
                    await stream.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
                    break;
                }
                buffer.Grow();
            }
            var n = await stream.ReadAsync(buffer.Bytes.AsMemory(length), ct).ConfigureAwait(false);
            if (n == 0) break;
            length += n;
        }
        return length;
    }

    public async Task<Answer> CallAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            var buffer = new Buffer(4096);
            var (status, length) = await SendAsync(request, buffer, ct).ConfigureAwait(false);
            return new Answer(status, buffer.Bytes.AsSpan(0, length).ToArray());
        }
    }

    // ---- setup calls ---------------------------------------------------------------------------------

    public static byte[] LoginBody(string username, string password) =>
        JsonObject(w =>
        {
            w.WriteString("username", username);
            w.WriteString("password", password);
        });

    public Task<Answer> LoginAsync(byte[] loginBody, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Post, _setupLoginUri, loginBody, null), ct);

    public Task<Answer> CreateUserAsync(string adminBearer, string username, string password, string type, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Post, UsersUri, JsonObject(w =>
        {
            w.WriteString("username", username);
            w.WriteString("password", password);
            w.WriteString("type", type);
        }), adminBearer), ct);

    /// <summary>GET /api/users?username=NAME: the exact (case-insensitive) match's type, null when absent; the answer when the call failed.</summary>
    public async Task<(bool Found, string? Type, Answer Answer)> FindUserAsync(string adminBearer, string username, CancellationToken ct)
    {
        var uri = new Uri(UsersUri + "?username=" + Uri.EscapeDataString(username) + "&limit=50");
        var answer = await CallAsync(BareRequest(HttpMethod.Get, uri, adminBearer), ct).ConfigureAwait(false);
        if (!answer.IsSuccess || answer.Json() is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("users", out var list) || list.ValueKind != JsonValueKind.Array)
            return (false, null, answer);
        foreach (var user in list.EnumerateArray())
        {
            if (user.ValueKind == JsonValueKind.Object
                && user.TryGetProperty("username", out var name) && name.ValueKind == JsonValueKind.String
                && string.Equals(name.GetString(), username, StringComparison.OrdinalIgnoreCase))
            {
                var type = user.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                return (true, type, answer);
            }
        }
        return (false, null, answer);
    }

    /// <summary>An admin setting a user's password, which ends every session of that user (application tokens too).</summary>
    public Task<Answer> SetPasswordAsync(string adminBearer, int userId, string password, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Patch, new Uri(UsersUri, $"users/{userId}"), JsonObject(w => w.WriteString("password", password)), adminBearer), ct);

    /// <summary>The ItemPath way: JSON content type, no body at all.</summary>
    public Task<Answer> ApplicationTokenAsync(string refreshBearer, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Post, _setupApplicationTokenUri, [], refreshBearer), ct);

    public Task<Answer> GetTenantAsync(string adminBearer, CancellationToken ct) =>
        CallAsync(BareRequest(HttpMethod.Get, TenantUri, adminBearer), ct);

    /// <summary>PATCH the tenant's <c>apiScopes</c> (the whole list is replaced).</summary>
    public Task<Answer> SetApiScopesAsync(string adminBearer, Action<Utf8JsonWriter> writeScopes, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Patch, TenantUri, JsonObject(w =>
        {
            w.WritePropertyName("apiScopes");
            writeScopes(w);
        }), adminBearer), ct);

    /// <summary>
    /// POST /api/clients: a confidential client with the client_credentials grant, client_secret_basic,
    /// <paramref name="scope"/> allowed, and no per-client rate limit (<c>rateLimitPerMinute</c> null: none).
    /// </summary>
    public Task<Answer> CreateClientAsync(string adminBearer, string clientId, string name, string scope, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Post, ClientsUri, JsonObject(w =>
        {
            w.WriteString("clientId", clientId);
            w.WriteString("name", name);
            w.WriteString("type", "confidential");
            w.WriteStartArray("grantTypes");
            w.WriteStringValue("client_credentials");
            w.WriteEndArray();
            w.WriteString("tokenEndpointAuthMethod", "client_secret_basic");
            w.WriteStartArray("allowedScopes");
            w.WriteStringValue(scope);
            w.WriteEndArray();
            w.WriteNull("rateLimitPerMinute");
        }), adminBearer), ct);

    /// <summary>
    /// POST /api/clients: a public client (no secret, <c>tokenEndpointAuthMethod</c> none) of the code
    /// flow with refresh, <paramref name="redirectUri"/> registered, openid and offline_access allowed,
    /// first-party (no consent page), no per-client rate limit.
    /// </summary>
    public Task<Answer> CreatePublicClientAsync(string adminBearer, string clientId, string name, string redirectUri, CancellationToken ct) =>
        CallAsync(JsonRequest(HttpMethod.Post, ClientsUri, JsonObject(w =>
        {
            w.WriteString("clientId", clientId);
            w.WriteString("name", name);
            w.WriteString("type", "public");
            w.WriteStartArray("grantTypes");
            w.WriteStringValue("authorization_code");
            w.WriteStringValue("refresh_token");
            w.WriteEndArray();
            w.WriteString("tokenEndpointAuthMethod", "none");
            w.WriteStartArray("allowedScopes");
            w.WriteStringValue("openid");
            w.WriteStringValue("offline_access");
            w.WriteEndArray();
            w.WriteStartArray("redirectUris");
            w.WriteStringValue(redirectUri);
            w.WriteEndArray();
            w.WriteBoolean("requireConsent", false);
            w.WriteNull("rateLimitPerMinute");
        }), adminBearer), ct);

    public Task<Answer> DeleteClientAsync(string adminBearer, string clientId, CancellationToken ct) =>
        CallAsync(BareRequest(HttpMethod.Delete, new Uri(ClientsUri + "/" + Uri.EscapeDataString(clientId)), adminBearer), ct);

    public static byte[] JsonObject(Action<Utf8JsonWriter> write)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An answer read into a buffer: its status, its length, its <c>Location</c> and the one cookie asked for.</summary>
public readonly record struct Reply(HttpStatusCode Status, int Length, Uri? Location, string? Cookie);

/// <summary>A growable byte buffer, one per virtual user, so reading an answer allocates nothing in the steady state.</summary>
public sealed class Buffer(int size)
{
    public byte[] Bytes { get; private set; } = new byte[size];

    public void Grow()
    {
        var bigger = new byte[Math.Min(Bytes.Length * 2, ApiClient.MaxBodyBytes)];
        Bytes.CopyTo(bigger, 0);
        Bytes = bigger;
    }
}
