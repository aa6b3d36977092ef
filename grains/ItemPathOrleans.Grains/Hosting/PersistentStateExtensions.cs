using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Hosting;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Writes state; if the write fails (a stale activation's ETag, a database outage), the
    /// activation is dropped so the next call reloads what is really stored, and the caller
    /// fails: nothing that depends on an unstored write is ever handed out.
    /// </summary>
    public static Task WriteOrDeactivateAsync<T>(this IPersistentState<T> state, Grain grain) =>
        OrDeactivate(state.StampAndWriteAsync(), grain);

    /// <summary>Writes state stamped with the current shape (see <see cref="IVersionedState"/>).</summary>
    public static Task StampAndWriteAsync<T>(this IPersistentState<T> state)
    {
        if (state.State is IVersionedState versioned) versioned.Shape = StateShapes.Current;
        return state.WriteStateAsync();
    }

    /// <summary>Clears state, with the same rule as <see cref="WriteOrDeactivateAsync{T}"/>.</summary>
    public static Task ClearOrDeactivateAsync<T>(this IPersistentState<T> state, Grain grain) =>
        OrDeactivate(state.ClearStateAsync(), grain);

    private static async Task OrDeactivate(Task storageOperation, Grain grain)
    {
        try
        {
            await storageOperation;
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
