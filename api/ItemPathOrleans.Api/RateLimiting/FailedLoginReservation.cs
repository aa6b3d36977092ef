namespace ItemPathOrleans.Api.RateLimiting;

/// <summary>
/// One attempt taken from a client address's failed-login budget before a password is checked
/// (or the refusal to take one): spent unless <see cref="GiveBack"/> returns it, so an attempt
/// that ends in an exception stays counted.
/// </summary>
public sealed class FailedLoginReservation
{
    /// <summary>An attempt with no budget behind it (the limit is off): giving it back does nothing.</summary>
    public static readonly FailedLoginReservation Unlimited = new(null, null, 0, null);

    private readonly FailedLoginBudget? _budget;
    private readonly FailedLoginBudget.Window? _window;
    private readonly long _generation;
    private int _givenBack;

    private FailedLoginReservation(FailedLoginBudget? budget, FailedLoginBudget.Window? window, long generation, TimeSpan? refusal)
    {
        _budget = budget;
        _window = window;
        _generation = generation;
        Refusal = refusal;
    }

    /// <summary>Null when the attempt was granted; else how long the address waits.</summary>
    public TimeSpan? Refusal { get; }

    internal static FailedLoginReservation Granted(FailedLoginBudget budget, FailedLoginBudget.Window window, long generation) =>
        new(budget, window, generation, null);

    internal static FailedLoginReservation Refused(TimeSpan wait) => new(null, null, 0, wait);

    /// <summary>The attempt did not fail (a success, a lockout that checked nothing, a refused request): it does not count. Once only.</summary>
    public void GiveBack()
    {
        if (_budget is null || Interlocked.Exchange(ref _givenBack, 1) != 0) return;
        _budget.GiveBack(_window!, _generation);
    }
}
