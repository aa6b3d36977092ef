using System.Net;
using System.Reflection;
using System.Text;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static ItemPathOrleans.Tests.OAuth.OAuthFixture;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// Refusals made before an OAuth endpoint runs (the request rate limit, the size limits, an
/// unknown tenant, routing, a cluster that does not answer, an unexpected fault) answer in the
/// RFC 6749 §5.2 shape too, with the status and headers they always had, on the token,
/// revocation and introspection endpoints and on the metadata; the same refusals elsewhere stay
/// problem+json.
/// </summary>
[Collection(OAuthCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class RefusalShapeTests(OAuthFixture fixture)
{
    private const string Metadata = "/.well-known/oauth-authorization-server";

    private static readonly string[] FormEndpoints =
        ["/oauth/token", $"/{Default}/oauth/token", "/oauth/revoke", $"/{Default}/oauth/revoke", "/oauth/introspect", $"/{Default}/oauth/introspect"];

    private static readonly string[] MetadataEndpoints = [Metadata, $"{Metadata}/{Default}"];

    private static HttpRequestMessage Form(string path, string body = "token=x&grant_type=password&username=u&password=p") =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };

    /// <summary>RFC 6749 §5.2, with <c>Retry-After</c> when the error asks the client to come back.</summary>
    private static async Task RfcError(HttpResponseMessage response, HttpStatusCode status, string error, string? description = null)
    {
        await OAuthAssert.Error(response, status, error, description);
        if (error == "temporarily_unavailable") Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>A node whose tenant catalog grain fails with <paramref name="fault"/>, so tenant resolution cannot answer.</summary>
    private WebApplicationFactory<Program> NodeWithFailingTenantCatalog(Func<Exception> fault)
    {
        var failing = DispatchProxy.Create<IGrainFactory, GrainCallCounter.Decorator>();
        ((GrainCallCounter.Decorator)(object)failing).Init(fixture.Cluster.Client, result =>
        {
            if (result is not ITenantCatalogGrain catalog) return result;
            var proxy = DispatchProxy.Create<ITenantCatalogGrain, GrainCallCounter.Decorator>();
            ((GrainCallCounter.Decorator)(object)proxy).Init(catalog, r => r, (_, _) => throw fault());
            return proxy;
        });
        return new ApiFactory(fixture.Cluster.Client).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IGrainFactory>(failing)));
    }

    [Fact]
    public async Task Past_the_request_rate_limit_each_endpoint_is_429_temporarily_unavailable_with_Retry_After()
    {
        await using var capped = new ApiFactory(fixture.Cluster.Client, settings: new Dictionary<string, string?> { ["RateLimit:AuthRequestsPerMinute"] = "1" });
        using var http = capped.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Form("/oauth/revoke"))).StatusCode);

        foreach (var path in FormEndpoints)
            await RfcError(await http.SendAsync(Form(path)), HttpStatusCode.TooManyRequests, "temporarily_unavailable", "Too many requests; retry later");
        // The ItemPath login shares the limit and keeps the contract's shape.
        var login = await http.PostAsync("/api/users/login", HttpAssert.Json(new { username = "someone", password = "Not-the-password-1" }));
        await HttpAssert.Problem(login, HttpStatusCode.TooManyRequests, "Too many requests; retry later");
        Assert.NotNull(login.Headers.RetryAfter);
    }

    [Fact]
    public async Task Bodies_and_Authorization_headers_over_the_limits_are_413_and_431_invalid_request()
    {
        using var http = fixture.Client();
        var big = "token=x&grant_type=password&password=" + new string('p', 17 * 1024);
        var huge = "Bearer " + new string('a', 9 * 1024);
        foreach (var path in FormEndpoints)
        {
            await RfcError(await http.SendAsync(Form(path, big)), HttpStatusCode.RequestEntityTooLarge, "invalid_request", "Request body exceeds the 16 KiB limit");
            var request = Form(path);
            request.Headers.TryAddWithoutValidation("Authorization", huge);
            await RfcError(await http.SendAsync(request), HttpStatusCode.RequestHeaderFieldsTooLarge, "invalid_request", "Authorization header exceeds the 8 KiB limit");
        }
        foreach (var path in MetadataEndpoints)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", huge);
            await RfcError(await http.SendAsync(request), HttpStatusCode.RequestHeaderFieldsTooLarge, "invalid_request", "Authorization header exceeds the 8 KiB limit");
        }
        // Read by the endpoint itself, without a Content-Length: the same answer.
        var chunked = Form("/oauth/token");
        chunked.Content = new StreamContent(new UnknownLengthStream(Encoding.ASCII.GetBytes(big)));
        chunked.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        await RfcError(await http.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge, "invalid_request", "Request body exceeds the 16 KiB limit");

        await HttpAssert.Problem(await http.PostAsync("/api/users/login", new StringContent(big)), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_unknown_tenant_is_404_invalid_request_by_path_and_by_X_Tenant()
    {
        using var http = fixture.Client();
        foreach (var path in new[] { "/nosuch/oauth/token", "/nosuch/oauth/revoke", "/nosuch/oauth/introspect", "/Bad_Id/oauth/token" })
            await RfcError(await http.SendAsync(Form(path)), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");
        await RfcError(await http.GetAsync($"{Metadata}/nosuch"), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");

        using var unknown = fixture.Client("nosuch");
        foreach (var path in new[] { "/oauth/token", "/oauth/revoke", "/oauth/introspect" })
            await RfcError(await unknown.SendAsync(Form(path)), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");
        await RfcError(await unknown.GetAsync(Metadata), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");

        await HttpAssert.Problem(await unknown.GetAsync("/api/users/sso"), HttpStatusCode.NotFound, "Unknown tenant");
        await HttpAssert.Problem(await http.GetAsync("/nosuch/.well-known/jwks.json"), HttpStatusCode.NotFound, "Unknown tenant");
    }

    [Fact]
    public async Task A_wrong_method_is_405_and_an_unknown_OAuth_path_404_invalid_request()
    {
        using var http = fixture.Client();
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/oauth/token"), (HttpMethod.Get, $"/{Default}/oauth/revoke"), (HttpMethod.Put, "/oauth/introspect"),
            (HttpMethod.Post, Metadata), (HttpMethod.Delete, $"{Metadata}/{Default}"),
        })
            await RfcError(await http.SendAsync(new HttpRequestMessage(method, path)), HttpStatusCode.MethodNotAllowed, "invalid_request");
        await RfcError(await http.GetAsync("/oauth/authorize"), HttpStatusCode.NotFound, "invalid_request");
        await RfcError(await http.SendAsync(Form($"/{Default}/oauth/device")), HttpStatusCode.NotFound, "invalid_request");

        await HttpAssert.Problem(await http.GetAsync("/api/users/login"), HttpStatusCode.MethodNotAllowed);
        await HttpAssert.Problem(await http.GetAsync("/api/nothing"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_is_503_temporarily_unavailable_with_Retry_After()
    {
        await using var node = NodeWithFailingTenantCatalog(() => new TimeoutException("no answer"));
        using var http = node.CreateClient();
        foreach (var path in FormEndpoints)
            await RfcError(await http.SendAsync(Form(path)), HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        foreach (var path in MetadataEndpoints)
            await RfcError(await http.GetAsync(path), HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");

        var login = await http.PostAsync("/api/users/login", HttpAssert.Json(new { username = "someone", password = "Not-the-password-1" }));
        await HttpAssert.Problem(login, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(login.Headers.RetryAfter);
    }

    [Fact]
    public async Task An_unexpected_fault_is_500_server_error_without_internals()
    {
        await using var node = NodeWithFailingTenantCatalog(() => new InvalidOperationException("internal detail 7f3a"));
        using var http = node.CreateClient();
        foreach (var path in FormEndpoints)
        {
            var response = await http.SendAsync(Form(path));
            await RfcError(response, HttpStatusCode.InternalServerError, "server_error");
            Assert.DoesNotContain("7f3a", await response.Content.ReadAsStringAsync());
        }
        foreach (var path in MetadataEndpoints)
            await RfcError(await http.GetAsync(path), HttpStatusCode.InternalServerError, "server_error");

        await HttpAssert.Problem(await http.PostAsync("/api/users/login", HttpAssert.Json(new { username = "someone", password = "Not-the-password-1" })), HttpStatusCode.InternalServerError);
    }

    /// <summary>A readable stream that does not tell its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
