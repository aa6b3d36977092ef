namespace ItemPathOrleans.Api.Cluster;

/// <summary>The revocation check could not be answered: the request gets a 503, never a pass.</summary>
public sealed class ClusterUnavailableException(Exception inner) : Exception("The cluster did not answer.", inner);
