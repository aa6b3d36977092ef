using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>
/// A Microsoft Entra ID double on loopback: a real Kestrel server with the OpenID metadata of a
/// multi-tenant (<c>organizations</c>) v2 authority, whose issuer is the <c>{tenantid}</c>
/// template, and a JWKS of RSA keys it generates. It issues ID tokens shaped like Entra v2 ones,
/// and the access tokens Entra would issue for the application's own API (which an ID token
/// check must refuse), can rotate its key, go down, or serve an oversized key set. For a
/// confidential client's code flow it has an authorization endpoint, which at once sends the
/// browser back with a code for <see cref="SignedIn"/> (as if that person had signed in at Entra)
/// or with <see cref="AuthorizeError"/>, and a token endpoint, which redeems a code once, for the
/// client with <see cref="ClientSecret"/>, the redirect URI and the PKCE verifier it was issued
/// with, answering an ID token with the nonce of the authorization request.
/// </summary>
public sealed class EntraDouble : IAsyncDisposable
{
    public const string ClientId = "6f1d3c0e-2b7a-4a55-9d7e-0c1f2a3b4c5d";
    /// <summary>The application's client secret (shaped like Entra's: 40 characters).</summary>
    public const string ClientSecret = "Qx8~double.Secret_7hJ2kL9mN4pR6sT1vW3yZ5";

    /// <summary>Who the authorization endpoint signs in: an Entra identity and its <c>preferred_username</c>.</summary>
    public sealed record Person(string Tid, string Oid, string PreferredUsername);

    private sealed record IssuedCode(string ClientId, string RedirectUri, string Challenge, string? Nonce, Person Person);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IssuedCode> _codes = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _issued = new();
    private int _tokenRequests;

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private List<(string Kid, RSA Key)> _published = [];
    private int _metadataFetches;
    private int _keyFetches;

    private EntraDouble(WebApplication app) => _app = app;

    /// <summary>
    /// The server's address and a path of this instance's own, so no two doubles ever share an
    /// authority (a port may be reused after a double stops; the API caches per authority).
    /// </summary>
    public string BaseUrl { get; private set; } = "";
    private readonly string _instance = $"i{Guid.NewGuid():N}";
    /// <summary>What a tenant configures: Entra's multi-tenant authority form.</summary>
    public string Authority => $"{BaseUrl}/organizations/v2.0";
    public string Issuer(string tid) => $"{BaseUrl}/{tid}/v2.0";

    public int MetadataFetches => Volatile.Read(ref _metadataFetches);
    public int KeyFetches => Volatile.Read(ref _keyFetches);

    /// <summary>While true every request answers 503.</summary>
    public bool Down { get; set; }

    /// <summary>While true the key set is padded past any sane size.</summary>
    public bool Oversized { get; set; }

    /// <summary>While true requests get no answer until the client gives up.</summary>
    public bool Hanging { get; set; }

    /// <summary>When set, the metadata answers a redirect to this address.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>When set, the metadata names its key set on this host instead of its own.</summary>
    public string? KeySetHost { get; set; }

    public string CurrentKid { get { lock (_gate) return _published[^1].Kid; } }

    /// <summary>The secret the token endpoint takes (the application's secret, until it is rotated at Entra).</summary>
    public string AcceptedClientSecret { get; set; } = ClientSecret;

    /// <summary>The person the authorization endpoint signs in; null: it answers <see cref="AuthorizeError"/> instead.</summary>
    public Person? SignedIn { get; set; }

    /// <summary>The error the authorization endpoint answers when no one is signed in (the person cancelled: <c>access_denied</c>).</summary>
    public string AuthorizeError { get; set; } = "access_denied";

    /// <summary>Changes the token endpoint makes to an ID token's claims before signing it (a wrong nonce, another tid, …).</summary>
    public Action<Dictionary<string, object>>? AlterIdToken { get; set; }

    /// <summary>The clock of the ID tokens the token endpoint answers.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The query of the last request to the authorization endpoint.</summary>
    public IReadOnlyDictionary<string, string> LastAuthorizeRequest { get; private set; } = new Dictionary<string, string>();

    /// <summary>Requests to the token endpoint, accepted or not.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Every code and ID token the code flow handed out: what must appear in no log.</summary>
    public IReadOnlyCollection<string> Issued => _issued.ToArray();

    public static async Task<EntraDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var double_ = new EntraDouble(app);
        double_.RotateKey();

        app.Use(async (context, next) =>
        {
            if (double_.Down)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            if (double_.Hanging)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            }
            if (double_.RedirectTo is { } target)
            {
                context.Response.Redirect(target);
                return;
            }
            await next(context);
        });
        var root = app.MapGroup($"/{double_._instance}");
        root.MapGet("/organizations/v2.0/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref double_._metadataFetches);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = $"{double_.BaseUrl}/{{tenantid}}/v2.0",
                ["authorization_endpoint"] = $"{double_.BaseUrl}/organizations/oauth2/v2.0/authorize",
                ["token_endpoint"] = $"{double_.BaseUrl}/organizations/oauth2/v2.0/token",
                ["jwks_uri"] = double_.KeySetHost is { } host
                    ? $"{new UriBuilder(double_.BaseUrl) { Host = host }.Uri.ToString().TrimEnd('/')}/organizations/discovery/v2.0/keys"
                    : $"{double_.BaseUrl}/organizations/discovery/v2.0/keys",
                ["response_types_supported"] = new[] { "code", "id_token", "code id_token", "id_token token" },
                ["subject_types_supported"] = new[] { "pairwise" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
            });
        });
        root.MapGet("/organizations/discovery/v2.0/keys", () =>
        {
            Interlocked.Increment(ref double_._keyFetches);
            List<Dictionary<string, object>> keys;
            lock (double_._gate)
            {
                keys = double_._published.Select(k => Jwk(k.Kid, k.Key)).ToList();
            }
            if (double_.Oversized)
            {
                // A hostile or broken authority: megabytes of keys.
                for (var i = 0; i < 2_000; i++) keys.Add(new Dictionary<string, object> { ["kty"] = "RSA", ["kid"] = $"pad{i}", ["n"] = new string('A', 700), ["e"] = "AQAB" });
            }
            return Results.Json(new { keys });
        });

        root.MapGet("/organizations/oauth2/v2.0/authorize", (Func<HttpContext, IResult>)double_.Authorize);
        root.MapPost("/organizations/oauth2/v2.0/token", (Func<HttpContext, Task<IResult>>)double_.RedeemAsync);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        double_.BaseUrl = $"{address.TrimEnd('/')}/{double_._instance}";
        return double_;
    }

    /// <summary>The authorization endpoint of the code flow: back to the redirect URI at once, with a code or an error.</summary>
    private IResult Authorize(HttpContext context)
    {
        var query = context.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        LastAuthorizeRequest = query;
        string? Get(string name) => query.GetValueOrDefault(name);
        // Entra shows its own error page, never a redirect, for an unknown client or redirect URI.
        if (Get("client_id") != ClientId || Get("redirect_uri") is not { Length: > 0 } redirectUri) return Results.BadRequest("AADSTS700016: unknown application");
        if (Get("response_type") != "code" || Get("code_challenge_method") != "S256" || Get("code_challenge") is not { Length: 43 } challenge)
            return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(redirectUri,
                new Dictionary<string, string?> { ["error"] = "invalid_request", ["state"] = Get("state") }));
        if (SignedIn is not { } person)
            return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(redirectUri, new Dictionary<string, string?>
            {
                ["error"] = AuthorizeError,
                ["error_description"] = "AADSTS65004: <b>The person declined</b> to sign in.",
                ["state"] = Get("state"),
            }));
        var code = "0.AAAA" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));
        _codes[code] = new IssuedCode(ClientId, redirectUri, challenge, Get("nonce"), person);
        _issued.Enqueue(code);
        return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(redirectUri,
            new Dictionary<string, string?> { ["code"] = code, ["state"] = Get("state"), ["session_state"] = Guid.NewGuid().ToString() }));
    }

    /// <summary>The token endpoint of the code flow: a confidential client redeems a code once, with its PKCE verifier.</summary>
    private async Task<IResult> RedeemAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await context.Request.ReadFormAsync();
        string? Get(string name) => form.TryGetValue(name, out var value) && value.Count == 1 ? value.ToString() : null;
        static IResult Error(string error, int status = StatusCodes.Status400BadRequest) =>
            Results.Json(new { error, error_description = "AADSTS: " + error }, statusCode: status);

        if (Get("client_id") != ClientId || Get("client_secret") != AcceptedClientSecret) return Error("invalid_client", StatusCodes.Status401Unauthorized);
        if (Get("grant_type") != "authorization_code") return Error("unsupported_grant_type");
        if (Get("code") is not { } code || !_codes.TryRemove(code, out var issued)) return Error("invalid_grant");
        if (Get("redirect_uri") != issued.RedirectUri || Get("code_verifier") is not { } verifier
            || Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != issued.Challenge)
            return Error("invalid_grant");

        var claims = Claims(issued.Person.Tid, issued.Person.Oid, issued.Person.PreferredUsername, Clock.GetUtcNow());
        if (issued.Nonce is { } nonce) claims["nonce"] = nonce;
        AlterIdToken?.Invoke(claims);
        var idToken = Sign(claims);
        _issued.Enqueue(idToken);
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["scope"] = "openid profile email",
            ["expires_in"] = 3599,
            ["access_token"] = "opaque-graph-token",
            ["id_token"] = idToken,
        });
    }

    /// <summary>The provider rolls its key over: a new key signs, and only it is published.</summary>
    public string RotateKey()
    {
        lock (_gate)
        {
            var kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
            _published = [(kid, RSA.Create(2048))];
            return kid;
        }
    }

    /// <summary>The claims of an Entra v2 ID token for this person, at <paramref name="now"/>.</summary>
    public Dictionary<string, object> Claims(string tid, string oid, string preferredUsername, DateTimeOffset now) => new()
    {
        ["aud"] = ClientId,
        ["iss"] = Issuer(tid),
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        ["name"] = "Test Person",
        ["oid"] = oid,
        ["preferred_username"] = preferredUsername,
        ["rh"] = "0.AAAA",
        ["sub"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(oid))),
        ["tid"] = tid,
        ["uti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
        ["ver"] = "2.0",
    };

    /// <summary>
    /// The claims of an Entra v2 access token for the application's own API (its audience is the
    /// client id, as when the registration exposes an API), delegated for this person: it carries
    /// the scopes granted (<c>scp</c>) and the client that asked (<c>azp</c>, here the same application).
    /// </summary>
    public Dictionary<string, object> DelegatedAccessTokenClaims(string tid, string oid, string preferredUsername, DateTimeOffset now)
    {
        var claims = Claims(tid, oid, preferredUsername, now);
        claims["azp"] = ClientId;
        claims["azpacr"] = "0";
        claims["scp"] = "access_as_user";
        return claims;
    }

    /// <summary>
    /// The claims of an Entra v2 app-only access token (client credentials) for the application's
    /// own API: no person, the calling application's service principal as <c>oid</c>, its app roles,
    /// and <c>idtyp</c> <c>app</c>; <paramref name="caller"/> is the calling client (<c>azp</c>).
    /// </summary>
    public Dictionary<string, object> AppOnlyAccessTokenClaims(string tid, string servicePrincipalOid, DateTimeOffset now, string caller = ClientId) => new()
    {
        ["aud"] = ClientId,
        ["iss"] = Issuer(tid),
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        ["azp"] = caller,
        ["azpacr"] = "1",
        ["idtyp"] = "app",
        ["oid"] = servicePrincipalOid,
        ["rh"] = "0.AAAA",
        ["roles"] = new[] { "Orders.Read.All" },
        ["sub"] = servicePrincipalOid,
        ["tid"] = tid,
        ["uti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
        ["ver"] = "2.0",
    };

    /// <summary>
    /// An RS256 token signed with the current key (or <paramref name="signWith"/>, under the current
    /// kid), with header <c>typ</c> <paramref name="typ"/> (Entra's <c>JWT</c>; left out when null).
    /// </summary>
    public string Sign(Dictionary<string, object> claims, RSA? signWith = null, string? kid = null, string? typ = "JWT")
    {
        RSA key;
        string currentKid;
        lock (_gate) (currentKid, key) = _published[^1];
        var header = new Dictionary<string, object>();
        if (typ is not null) header["typ"] = typ;
        header["alg"] = "RS256";
        header["kid"] = kid ?? currentKid;
        var input = $"{Part(header)}.{Part(claims)}";
        var signature = (signWith ?? key).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>A token with the given header, signed with HMAC-SHA256 over <paramref name="secret"/> (or unsigned when null).</summary>
    public static string SignWithHeader(Dictionary<string, object> header, Dictionary<string, object> claims, byte[]? secret)
    {
        var input = $"{Part(header)}.{Part(claims)}";
        var signature = secret is null ? "" : Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
        return $"{input}.{signature}";
    }

    /// <summary>The current public key as the JWKS publishes it (UTF-8 JSON), and as PEM: what an attacker would try as an HMAC secret.</summary>
    public (byte[] Jwk, byte[] Pem) PublicKeyForms()
    {
        lock (_gate)
        {
            var (kid, key) = _published[^1];
            return (JsonSerializer.SerializeToUtf8Bytes(Jwk(kid, key)), Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem()));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Part(Dictionary<string, object> value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private static Dictionary<string, object> Jwk(string kid, RSA key)
    {
        var p = key.ExportParameters(false);
        return new Dictionary<string, object>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = kid,
            ["n"] = Base64Url.EncodeToString(p.Modulus),
            ["e"] = Base64Url.EncodeToString(p.Exponent),
        };
    }
}
