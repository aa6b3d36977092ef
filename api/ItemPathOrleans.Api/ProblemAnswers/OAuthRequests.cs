using ItemPathOrleans.Api.Gateway;







namespace ItemPathOrleans.Api.ProblemAnswers;

/// <summary>
/// The requests whose every error answer is RFC 6749 §5.2 JSON rather than problem+json: those of
/// the OAuth endpoints (<c>/oauth/…</c>, <c>/{tenant}/oauth/…</c>) and of the RFC 8414 metadata
/// (<c>/.well-known/oauth-authorization-server[/{tenant}]</c>). Decided by path, not endpoint, so
/// that answers made before an endpoint runs or without one (a rate limit, a size limit, an
/// unknown tenant, routing's 404 and 405, a fault) take the shape an OAuth client reads.
/// </summary>
public static class OAuthRequests
{
    private const string Segment = "/oauth";

    /// <summary>Where a tenant's RFC 8414 metadata is served (with the tenant after it, or the request's).</summary>
    public const string MetadataPath = "/.well-known/oauth-authorization-server";

    public static bool Is(HttpContext context)
    {
        // A gateway route is the upstream's API, whatever its path.
        if (GatewayProxy.IsProxied(context)) return false;
        var path = context.Request.Path.Value.AsSpan();
        if (StartsWithSegment(path, MetadataPath) || StartsWithSegment(path, Segment)) return true;
        // The tenant form: the second segment is "oauth".
        if (path.Length < 2) return false;
        var second = path[1..].IndexOf('/');
        return second >= 0 && StartsWithSegment(path[(second + 1)..], Segment);
    }

    /// <summary>The §5.2 error code of an answer with this status that no endpoint chose a code for.</summary>
    public static string ErrorFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => OAuthErrors.InvalidClient,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => OAuthErrors.TemporarilyUnavailable,
        >= 500 => OAuthErrors.ServerError,
        _ => OAuthErrors.InvalidRequest,
    };

    private static bool StartsWithSegment(ReadOnlySpan<char> path, string segment) =>
        path.StartsWith(segment, StringComparison.OrdinalIgnoreCase) && (path.Length == segment.Length || path[segment.Length] == '/');
}
