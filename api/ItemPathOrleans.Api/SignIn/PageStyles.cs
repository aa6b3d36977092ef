using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace ItemPathOrleans.Api.SignIn;

/// <summary>
/// The pages' one stylesheet (<c>SignIn/signin.css</c>, embedded in the assembly), served by the
/// service itself at <c>/assets/signin.css</c>. Pages link it with its content hash in the query,
/// so it can be cached for a year and still change with a release.
/// </summary>
public static class PageStyles
{
    public const string Path = "/assets/signin.css";

    private const string Resource = "ItemPathOrleans.Api.SignIn.signin.css";

    private static readonly byte[] Content = Load();

    private static readonly string Version = Convert.ToHexStringLower(SHA256.HashData(Content))[..16];

    /// <summary>What pages link: the path with the content's version.</summary>
    public static string Href { get; } = $"{Path}?v={Version}";

    public static IEndpointRouteBuilder MapSignInAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "public, max-age=31536000, immutable";
        headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(Content, "text/css; charset=utf-8", entityTag: new EntityTagHeaderValue($"\"{Version}\""));
    }

    private static byte[] Load()
    {
        using var stream = typeof(PageStyles).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded stylesheet {Resource} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
