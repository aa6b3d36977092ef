namespace ItemPathOrleans.Grains.Hosting;

public static class StorageNames
{
    /// <summary>The grain storage provider every grain of this project persists to.</summary>
    public const string Grains = "itempath";
}
