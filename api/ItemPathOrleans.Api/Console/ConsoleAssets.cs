using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace ItemPathOrleans.Api.Console;

/// <summary>
/// The console's script modules and stylesheet (<c>Console/Assets</c>, embedded in the assembly),
/// served by the service itself under <c>/assets/console/{version}/</c>, where the version is a
/// digest of them all. The modules import each other by relative URL, so every import carries the
/// version too: a release changes every URL and each can be cached for a year.
/// </summary>
public static class ConsoleAssets
{
    public const string Root = "/assets/console";

    private const string Prefix = "ItemPathOrleans.Api.Console.Assets.";

    private static readonly FrozenDictionary<string, byte[]> Files = Load();

    /// <summary>The digest of every asset's name and content (16 hex characters).</summary>
    public static string Version { get; } = Digest(Files);

    /// <summary>The assets' file names (<c>console.js</c>, …).</summary>
    internal static IEnumerable<string> Names => Files.Keys;

    /// <summary>An asset's content as text.</summary>
    internal static string Text(string file) => Encoding.UTF8.GetString(Files[file]);

    /// <summary>The URL of <paramref name="file"/> in this release.</summary>
    public static string Href(string file) => $"{Root}/{Version}/{file}";

    public static IEndpointRouteBuilder MapConsoleAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet(Root + "/{version}/{file}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string version, string file, HttpContext context)
    {
        if (!Files.TryGetValue(file, out var content)) return Results.NotFound();
        var headers = context.Response.Headers;
        // Another version is a page from a node of another release: served, but not kept.
        headers.CacheControl = version == Version ? "public, max-age=31536000, immutable" : "no-cache";
        headers.XContentTypeOptions = "nosniff";
        var type = file.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        return Results.Bytes(content, type, entityTag: new EntityTagHeaderValue($"\"{Version}\""));
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[Prefix.Length..]] = copy.ToArray();
        }
        if (!files.ContainsKey("console.js") || !files.ContainsKey("console.css"))
            throw new InvalidOperationException("The console's embedded assets are missing from the build.");
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Digest(FrozenDictionary<string, byte[]> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
            hash.AppendData(content);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
