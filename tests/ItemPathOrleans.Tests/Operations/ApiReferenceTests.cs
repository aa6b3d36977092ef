using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ItemPathOrleans.Tests.Operations;

/// <summary>
/// The OpenAPI document describes every route the app maps (compared with the app's own
/// endpoint list, so endpoints added later are checked too), with bodies, answers, errors and
/// the Bearer requirement; the browsable reference is served.
/// </summary>
[Collection(Infrastructure.ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed partial class ApiReferenceTests(ServiceFixture service)
{
    private async Task<JsonElement> DocumentAsync()
    {
        using var http = service.Client();
        var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary><c>/api/users/{id:int}</c> as OpenAPI writes it: <c>/api/users/{id}</c> (and a group's <c>/api/users/</c> as <c>/api/users</c>).</summary>
    private static string OpenApiPath(string routePattern)
    {
        var path = RouteParameter().Replace(routePattern, m => "{" + m.Groups[1].Value + "}").TrimEnd('/');
        return path.StartsWith('/') ? path : "/" + path;
    }

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task The_document_is_OpenAPI_3_and_lists_every_mapped_route_with_its_methods()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.Equal("ItemPathOrleans API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(document.GetProperty("info").GetProperty("version").GetString()));
        var paths = document.GetProperty("paths");

        var endpoints = service.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .ToList();
        var missing = new List<string>();
        var checkedRoutes = 0;
        foreach (var endpoint in endpoints)
        {
            var path = OpenApiPath(endpoint.RoutePattern.RawText!);
            // An endpoint without method metadata answers every method; its document entry must have GET at least.
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                checkedRoutes++;
                if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out _))
                    missing.Add($"{method} {path} ({endpoint.DisplayName})");
            }
        }
        Assert.True(missing.Count == 0, "Not in the OpenAPI document:\n" + string.Join("\n", missing));
        // The contract's endpoints at least: the comparison above compared something.
        Assert.True(checkedRoutes >= 30, $"only {checkedRoutes} routes were found");
        foreach (var expected in new[] { "/api/users/login", "/api/users/refresh", "/api/users/{id}", "/api/tenants/{id}/keys/{kid}/retire", "/health/ready", "/metrics" })
            Assert.True(paths.TryGetProperty(expected, out _), $"{expected} is not in the document");
    }

    [Fact]
    public async Task Login_is_described_with_its_body_its_answer_and_its_errors()
    {
        var document = await DocumentAsync();
        var login = document.GetProperty("paths").GetProperty("/api/users/login").GetProperty("post");
        Assert.Equal("Login", login.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrEmpty(login.GetProperty("summary").GetString()));
        Assert.False(login.TryGetProperty("security", out _), "login needs no token");

        var body = Resolve(document, login.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(body.GetProperty("properties").TryGetProperty("username", out _));
        Assert.True(body.GetProperty("properties").TryGetProperty("password", out _));
        var required = body.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("username", required);
        Assert.Contains("password", required);

        var responses = login.GetProperty("responses");
        var answer = Resolve(document, responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        foreach (var field in new[] { "login", "accessToken", "refreshToken", "accessExpiryDate", "refreshExpiryDate", "id", "username", "isAdmin", "type" })
            Assert.True(answer.GetProperty("properties").TryGetProperty(field, out _), $"the login answer lacks {field}");
        foreach (var status in new[] { "400", "401", "429" })
        {
            var problem = Resolve(document, responses.GetProperty(status).GetProperty("content").GetProperty("application/problem+json").GetProperty("schema"));
            Assert.True(problem.GetProperty("properties").TryGetProperty("msg", out _), $"the {status} problem lacks msg");
            Assert.True(problem.GetProperty("properties").TryGetProperty("detail", out _));
        }
        // The X-Tenant header is described on every /api operation.
        Assert.Contains(login.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "X-Tenant" && p.GetProperty("in").GetString() == "header");
    }

    [Fact]
    public async Task Endpoints_that_take_a_token_require_the_Bearer_scheme()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/users/me", "get"), ("/api/users/refresh", "post"), ("/api/users", "get"), ("/api/tenants/{id}", "patch") })
        {
            var security = paths.GetProperty(path).GetProperty(method).GetProperty("security");
            Assert.Contains(security.EnumerateArray(), s => s.TryGetProperty("Bearer", out _));
        }
        Assert.False(paths.GetProperty("/health/live").GetProperty("get").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task The_reference_page_is_served_to_anyone_in_any_tenant_state()
    {
        using var http = service.Client();
        // No token, and a tenant header naming no tenant: the reference is not an /api resource.
        http.DefaultRequestHeaders.Add("X-Tenant", "no-such-tenant");
        var response = await http.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>ItemPathOrleans API</title>", html);
        Assert.Contains("openapi/v1.json", html);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Documenting_a_JSON_body_refuses_no_other_content_type()
    {
        using var http = service.Client();
        var body = $"{{\"username\": \"admin\", \"password\": \"{TestSettings.AdminPassword}\"}}";
        foreach (var contentType in new[] { "text/plain", "application/x-www-form-urlencoded" })
        {
            var response = await http.PostAsync("/api/users/login", new StringContent(body, System.Text.Encoding.UTF8, contentType));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var noContentType = new HttpRequestMessage(HttpMethod.Post, "/api/users/login") { Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body)) };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(noContentType)).StatusCode);
    }

    /// <summary>A schema, following a <c>$ref</c> into the components.</summary>
    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}
