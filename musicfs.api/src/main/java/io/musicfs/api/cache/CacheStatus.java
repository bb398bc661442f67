package io.musicfs.api.cache;

/**
 * The chunk cache at one moment.
 *
 * @param state whether chunks are cached or reads pass straight through
 * @param reason why the state is what it is, one line for the operator (for example "cache disk
 *        read-only: /var/cache/musicfs"); {@code null} when all is well
 * @param bytes bytes of chunk files on disk
 * @param limitBytes the configured size limit
 * @param chunks chunk files on disk
 * @param hits chunks served from the cache since start
 * @param misses chunks that had to be fetched from an origin since start
 * @param evictions chunks evicted to keep under the limit since start
 * @param badChunks chunks found damaged or missing and dropped since start
 * @param prefetching whether read-ahead and prefetch run (off above 95% of the limit and in passthrough)
 * @param originBytes bytes fetched from origins since start (reads, read-ahead and prefetch)
 * @param servedBytes bytes handed to readers since start (from the cache or fetched)
 */
public record CacheStatus(State state, String reason, long bytes, long limitBytes, long chunks, long hits, long misses,
        long evictions, long badChunks, boolean prefetching, long originBytes, long servedBytes) {

    public enum State {
        /** chunks are read from and written to the cache disk */
        ACTIVE,
        /** the cache disk is full, read-only or failing: reads go straight to the origins */
        PASSTHROUGH
    }

    /** @return hits / (hits + misses), or 0 before any read */
    public double hitRatio() {
        long all = hits + misses;
        return all == 0 ? 0 : (double) hits / all;
    }
}
