namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// The HTTP client of every call to an Entra authority (its metadata and keys, its token
/// endpoint): no redirects (a redirect could lead anywhere; callers check the allowed hosts on every
/// address), no cookies, and bounded in time, header size and body size by <see cref="SsoOptions"/>.
/// </summary>
public static class SsoBackChannel
{
    public static HttpClient Create(SsoOptions options)
    {
        var timeout = TimeSpan.FromSeconds(options.FetchTimeoutSeconds);
        return new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxResponseHeadersLength = 64,
            UseCookies = false,
        })
        {
            Timeout = timeout,
            MaxResponseContentBufferSize = options.MaxMetadataBytes,
        };
    }
}
