namespace ItemPathOrleans.Api.Sso;

/// <summary>The authority's metadata or keys could not be fetched: the client retries later (503).</summary>
public sealed class MetadataUnavailableException(int retryAfterSeconds, Exception? inner = null)
    : Exception("OpenID metadata or signing keys could not be fetched", inner)
{
    public int RetryAfterSeconds => retryAfterSeconds;
}
