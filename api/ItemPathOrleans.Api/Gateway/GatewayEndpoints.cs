using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// The gateway, in its two modes. Verify mode, <c>GET /api/auth/verify</c>: for a reverse proxy in front of other ItemPath resources (nginx
/// <c>auth_request</c>, Traefik ForwardAuth). The token is validated as on every protected
/// endpoint (access or application token, or a registered client's token, the revocation check
/// answered from its cache); the
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
            .RequireAuthorization(TokenSchemes.BearerPolicy)
            .WithName("VerifyToken")
            .WithSummary("Validates a Bearer access, application or client token for a reverse proxy and names its bearer")
            .Produces<GatewayClientIdentity>()
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
        app.MapGatewayProxy();
        return app;
    }

    private static Results<Ok<GatewayIdentity>, Ok<GatewayClientIdentity>> Verify(HttpContext context)
    {
        var headers = context.Response.Headers;
        foreach (var (name, value) in GatewayIdentity.HeadersOf(context.User)) headers[name] = value;
        // An answer about one token, valid for one revocation interval at most: never cached.
        headers.CacheControl = "no-store";
        return ClientTokenIdentity.IsClient(context.User)
            ? TypedResults.Ok(GatewayClientIdentity.From(context.User))
            : TypedResults.Ok(GatewayIdentity.From(context.User));
    }
}
