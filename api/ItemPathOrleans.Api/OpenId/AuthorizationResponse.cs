using Microsoft.AspNetCore.WebUtilities;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// The answers that go back to a client's verified redirect URI: a code, or an error, each with
/// <c>state</c> and <c>iss</c> (RFC 9207), in the query or as a form post (OAuth 2.0 Form Post
/// Response Mode). Only ever to a redirect URI the client registered (<see cref="AuthorizationCheck"/>).
/// </summary>
public static class AuthorizationResponse
{
    public static IResult Code(HttpContext context, AuthorizationRequest request, string issuer, string code) =>
        Send(context, request, [new("code", code), new("state", request.State), new("iss", issuer)]);

    public static IResult Error(HttpContext context, AuthorizationRequest request, string issuer, string error, string? description) =>
        Send(context, request, [new("error", error), new("error_description", description), new("state", request.State), new("iss", issuer)]);

    private static IResult Send(HttpContext context, AuthorizationRequest request, KeyValuePair<string, string?>[] parameters)
    {
        var fields = parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)).ToList();
        if (request.FormPost) return OpenIdPages.FormPost(context, request.RedirectUri!, fields);
        OpenIdPages.NoStore(context.Response);
        return TypedResults.Redirect(QueryHelpers.AddQueryString(request.RedirectUri!, fields!));
    }
}
