namespace ItemPathOrleans.Grains.Hosting;

/// <summary>
/// A stored grain state that records the shape of the code that last wrote it, so a newer build
/// can tell (and upgrade) what an older one stored. Every write stamps <see cref="StateShapes.Current"/>.
/// </summary>
public interface IVersionedState
{
    /// <summary>0: written before states carried a shape (release 1); else the writer's <see cref="StateShapes.Current"/>.</summary>
    int Shape { get; set; }
}

/// <summary>
/// The shapes of stored grain state. Raise <see cref="Current"/> when a release changes what a
/// stored field means (not when it only adds fields: those read back as their defaults), add the
/// upgrade where the state is read, and commit fixtures of the new shape
/// (<c>tests/StateFixtures</c>): every older shape stays readable.
/// </summary>
public static class StateShapes
{
    /// <summary>2: users may carry an Entra link (single sign-on); signing key versions an algorithm and EC keys.</summary>
    public const int Current = 2;
}
