using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ProblemAnswers;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// The gateway, in its two modes. Verify mode, <c>GET /api/auth/verify</c>: for a reverse proxy in front of other ItemPath resources (nginx
/// <c>auth_request</c>, Traefik ForwardAuth). The token is validated as on every protected
/// endpoint (access or application token, the revocation check answered from its cache); the
/// answer names the bearer in its body and in <c>X-Auth-*</c> headers. Proxy mode
/// (<see cref="GatewayProxy"/>): configured routes forwarded upstream once their token is validated.
/// </summary>
public static class GatewayEndpoints
{
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration) =>
        services.AddGatewayProxy(configuration);

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        // HEAD too: some proxies send the sub-request with the original request's method.
        app.MapMethods("/api/auth/verify", [HttpMethods.Get, HttpMethods.Head], Verify)
            .RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("VerifyToken")
            .WithSummary("Validates a Bearer access or application token for a reverse proxy and names its bearer")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
        app.MapGatewayProxy();
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<GatewayIdentity> Verify(HttpContext context)
    {
        var identity = GatewayIdentity.From(context.User);
        var headers = context.Response.Headers;
        foreach (var (name, value) in identity.Headers()) headers[name] = value;
        // An answer about one token, valid for one revocation interval at most: never cached.
        headers.CacheControl = "no-store";
        return TypedResults.Ok(identity);
    }
}
