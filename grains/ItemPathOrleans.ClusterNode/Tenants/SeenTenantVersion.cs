namespace ItemPathOrleans.ClusterNode.Tenants;

/// <summary>
/// The version of its tenant's settings that a request has already seen, carried in the Orleans
/// <see cref="RequestContext"/>: the API node sets it once, where it resolves the request's tenant,
/// and Orleans hands it on with every grain call the request makes and every call those grains
/// make in turn. <see cref="TenantCache"/> reads it, so settings changed before the request
/// started apply to it on any silo, and no grain signature carries a version. The request
/// context rather than a grain call filter: it is set where the version is known, whichever
/// cluster client the node uses, and reaches grains called from grains without any code of theirs.
/// </summary>
public static class SeenTenantVersion
{
    private const string TenantKey = "itempath.tenant";
    private const string VersionKey = "itempath.tenant-version";

    /// <summary>From here on, calls of this flow say that <paramref name="tenant"/>'s version <paramref name="version"/> was seen.</summary>
    public static void Carry(string tenant, int version)
    {
        RequestContext.Set(TenantKey, tenant);
        RequestContext.Set(VersionKey, version);
    }

    /// <summary>The version of <paramref name="tenant"/> the current call carries; 0 when it carries none for that tenant.</summary>
    public static int Of(string tenant) =>
        RequestContext.Get(TenantKey) is string seen && string.Equals(seen, tenant, StringComparison.Ordinal)
        && RequestContext.Get(VersionKey) is int version
            ? version
            : 0;
}
