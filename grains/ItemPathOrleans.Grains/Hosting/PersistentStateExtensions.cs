using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Hosting;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Writes state; if the write fails (a stale activation's ETag, a database outage), the
    /// activation is dropped so the next call reloads what is really stored, and the caller
    /// fails: nothing that depends on an unstored write is ever handed out.
    /// </summary>
    public static async Task WriteOrDeactivateAsync<T>(this IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }

    public static async Task ClearOrDeactivateAsync<T>(this IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.ClearStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
