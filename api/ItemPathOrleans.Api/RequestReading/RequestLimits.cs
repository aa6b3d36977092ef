using ItemPathOrleans.Api.Gateway;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// The contract's request limits, answered in its shape before anything else runs. Kestrel's
/// own limits are set above these so that the application, not the server, answers them.
/// </summary>
public sealed class RequestLimits(RequestDelegate next, IOptions<GatewayOptions> gateway)
{
    public const int MaxBodyBytes = 16 * 1024;
    public const int MaxAuthorizationHeaderBytes = 8 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (GatewayProxy.IsProxied(context))
        {
            // Forwarded bodies are the upstream's business, within the gateway's own limit.
            var limit = gateway.Value.MaxRequestBodyBytes;
            if (request.ContentLength > limit)
                return ProblemResult.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"Request body exceeds the gateway's {limit} byte limit");
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        }
        else if (request.ContentLength > MaxBodyBytes)
            return ProblemResult.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body exceeds the 16 KiB limit");

        foreach (var value in request.Headers.Authorization)
        {
            if (value is { Length: > MaxAuthorizationHeaderBytes })
                return ProblemResult.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Authorization header exceeds the 8 KiB limit");
        }
        return next(context);
    }
}
