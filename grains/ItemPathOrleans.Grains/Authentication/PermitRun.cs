namespace ItemPathOrleans.Grains.Authentication;

/// <summary>
/// How a <see cref="PermitProtocol"/> run ended: locked (no hash ran; wait
/// <see cref="RetryAfterSeconds"/>), no password to check (the decoy hash ran), failed (as a wrong
/// password), or completed with the second half's answer.
/// </summary>
public readonly record struct PermitRun<T>(PermitEnd End, T? Result, int RetryAfterSeconds)
{
    public static PermitRun<T> NoPassword => new(PermitEnd.NoPassword, default, 0);

    public static PermitRun<T> Failed => new(PermitEnd.Failed, default, 0);

    public static PermitRun<T> Locked(int retryAfterSeconds) => new(PermitEnd.Locked, default, retryAfterSeconds);

    public static PermitRun<T> Completed(T result) => new(PermitEnd.Completed, result, 0);
}
