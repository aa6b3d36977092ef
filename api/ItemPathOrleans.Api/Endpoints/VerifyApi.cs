using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Gateway;





namespace ItemPathOrleans.Api.Endpoints;

/// <summary>
/// <c>GET /api/auth/verify</c>: for a reverse proxy in front of other ItemPath resources (nginx
/// <c>auth_request</c>, Traefik ForwardAuth). The token is validated as on every protected
/// endpoint (access or application token, the revocation check answered from its cache); the
/// answer names the bearer in its body and in <c>X-Auth-*</c> headers.
/// </summary>
public static class VerifyApi
{
    public static IEndpointRouteBuilder MapVerifyApi(this IEndpointRouteBuilder app)
    {
        // HEAD too: some proxies send the sub-request with the original request's method.
        app.MapMethods("/api/auth/verify", [HttpMethods.Get, HttpMethods.Head], Verify)
            .RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("VerifyToken")
            .WithSummary("Validates a Bearer access or application token for a reverse proxy and names its bearer")
            .Produces<GatewayIdentity>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static IResult Verify(HttpContext context)
    {
        var identity = GatewayIdentity.From(context.User);
        var headers = context.Response.Headers;
        foreach (var (name, value) in identity.Headers()) headers[name] = value;
        // An answer about one token, valid for one revocation interval at most: never cached.
        headers.CacheControl = "no-store";
        return TypedResults.Ok(identity);
    }
}
