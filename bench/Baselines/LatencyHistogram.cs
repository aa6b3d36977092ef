using System.Numerics;

namespace ItemPathOrleans.Baselines;

/// <summary>
/// An HdrHistogram-style log-linear histogram of latencies in microseconds: exact below 256 µs,
/// then 128 sub-buckets per power of two (relative error under 0.8 %), up to 2^47 µs. A copy of
/// the load generator's, so both report percentiles the same way. One per worker, merged at the
/// end, so recording needs no lock.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;   // 128
    private const int LinearLimit = 2 * SubBucketCount;      // values below are their own bucket
    private const int MaxShift = 40;
    private const long MaxValue = (1L << (SubBucketBits + 1 + MaxShift - 1)) - 1;

    private readonly long[] _counts = new long[LinearLimit + MaxShift * SubBucketCount];

    public long Count { get; private set; }
    public long MinMicros { get; private set; } = long.MaxValue;
    public long MaxMicros { get; private set; }
    public double SumMicros { get; private set; }

    public void Record(long micros)
    {
        micros = Math.Clamp(micros, 0, MaxValue);
        _counts[IndexOf(micros)]++;
        Count++;
        SumMicros += micros;
        if (micros < MinMicros) MinMicros = micros;
        if (micros > MaxMicros) MaxMicros = micros;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        SumMicros += other.SumMicros;
        if (other.Count > 0)
        {
            MinMicros = Math.Min(MinMicros, other.MinMicros);
            MaxMicros = Math.Max(MaxMicros, other.MaxMicros);
        }
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100], HdrHistogram's rule; 0 when empty.</summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(HighestEquivalent(i), MaxMicros);
        }
        return MaxMicros;
    }

    public double MeanMicros => Count == 0 ? 0 : SumMicros / Count;

    private static int IndexOf(long v)
    {
        if (v < LinearLimit) return (int)v;
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var shift = msb - SubBucketBits;                 // >= 1
        var top = (int)(v >> shift);                     // 128..255
        return LinearLimit + (shift - 1) * SubBucketCount + (top - SubBucketCount);
    }

    private static long HighestEquivalent(int index)
    {
        if (index < LinearLimit) return index;
        var shift = (index - LinearLimit) / SubBucketCount + 1;
        var top = (index - LinearLimit) % SubBucketCount + SubBucketCount;
        return ((long)(top + 1) << shift) - 1;
    }
}
