namespace ItemPathOrleans.Contracts;

/// <summary>
/// The database did not answer (down, unreachable, timed out). Raised inside the cluster in place of
/// the driver's exception, which Orleans cannot carry back to a caller: the caller sees this one, and
/// the API answers 503 with Retry-After.
/// </summary>
[GenerateSerializer]
public sealed class StorageUnavailableException : OrleansException
{
    public StorageUnavailableException() : base("The database did not answer.")
    {
    }

    public StorageUnavailableException(string message) : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
