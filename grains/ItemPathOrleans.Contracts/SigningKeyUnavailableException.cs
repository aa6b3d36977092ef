namespace ItemPathOrleans.Contracts;

/// <summary>
/// A tenant's current signing key version derives from a master key this node does not have (a
/// lost or not yet configured master key): no token can be signed. The API answers 503; the
/// operators recover with a new master key and <c>./run.sh admin retire-master-key</c> (docs/operations.md).
/// </summary>
[GenerateSerializer]
public sealed class SigningKeyUnavailableException : OrleansException
{
    public SigningKeyUnavailableException() : base("The signing key is unavailable.")
    {
    }

    public SigningKeyUnavailableException(string message) : base(message)
    {
    }

    public SigningKeyUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
