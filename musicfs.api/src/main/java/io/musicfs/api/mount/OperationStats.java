package io.musicfs.api.mount;

import java.util.Arrays;

/**
 * Counters of one FUSE operation since start.
 *
 * @param operation the operation's name ("getattr", "readdir", "open", "read", "release", ...)
 * @param count calls answered
 * @param errors calls answered with an error other than "no such file" (ENOENT is a normal answer)
 * @param sumSeconds total time spent answering
 * @param bucketCounts calls per latency bucket, not cumulative: index {@code i} counts calls that
 *        took at most {@link #BUCKET_BOUNDS_SECONDS}{@code [i]} and more than the bound before it; the
 *        last index counts the slower ones
 */
public record OperationStats(String operation, long count, long errors, double sumSeconds, long[] bucketCounts) {

    /** Upper bounds of the latency buckets, in seconds. */
    public static final double[] BUCKET_BOUNDS_SECONDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

    public OperationStats {
        if (bucketCounts.length != BUCKET_BOUNDS_SECONDS.length + 1) {
            throw new IllegalArgumentException("bucketCounts needs " + (BUCKET_BOUNDS_SECONDS.length + 1) + " entries, got " + bucketCounts.length);
        }
        bucketCounts = bucketCounts.clone();
    }

    @Override
    public long[] bucketCounts() {
        return bucketCounts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperationStats other && operation.equals(other.operation) && count == other.count
                && errors == other.errors && sumSeconds == other.sumSeconds && Arrays.equals(bucketCounts, other.bucketCounts);
    }

    @Override
    public int hashCode() {
        return operation.hashCode() * 31 + Long.hashCode(count);
    }

    @Override
    public String toString() {
        return operation + ": " + count + " calls, " + errors + " errors, " + sumSeconds + " s";
    }
}
