namespace ItemPathOrleans.Silo;

/// <summary>Where this silo listens and which cluster it joins (section <c>Orleans</c>).</summary>
public sealed class SiloOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "itempath";
    public string ServiceId { get; set; } = "itempath";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";
}
