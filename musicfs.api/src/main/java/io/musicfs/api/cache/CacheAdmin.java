package io.musicfs.api.cache;

import java.util.List;

import io.musicfs.api.library.TrackFile;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Operating the chunk cache: registered by the cache bundle next to its content reader. Every
 * method may be called from any thread while reads go on.
 */
@ProviderType
public interface CacheAdmin {

    /** Event Admin topic sent when {@link CacheStatus#state()} changes; properties {@code state}, {@code previous}, {@code reason}. */
    String TOPIC_STATE_CHANGED = "io/musicfs/cache/STATE_CHANGED";

    /** @return the cache's state and counters now; cheap, never blocks on disk or origins */
    CacheStatus status();

    /**
     * Verifies chunks against their hashes, drops the bad and missing ones (they are refetched
     * when next read) and repairs the accounting. Blocks until done.
     *
     * @param all every chunk when {@code true}, else a sample
     * @param progress told as chunks are checked; may be {@code null}
     */
    VerifyReport verify(boolean all, Progress progress) throws InterruptedException;

    /**
     * Drops cached chunks: all of them, or only those of files held by one origin.
     *
     * @param originId the origin, or {@code null} for the whole cache
     * @return the bytes freed
     */
    long clear(String originId) throws InterruptedException;

    /**
     * Fetches whole files into the cache (skipping chunks already there), one after another.
     * Blocks until done; a file that cannot be fetched is counted and skipped.
     *
     * @param progress told after each chunk, in bytes of the files' total; may be {@code null}
     */
    PrefetchReport prefetch(List<TrackFile> files, Progress progress) throws InterruptedException;

    /**
     * Stops read-ahead and prefetch for a reason outside the cache (the daemon running out of file
     * descriptors), or lets them run again; reads themselves go on. Shows in
     * {@link CacheStatus#prefetching()}.
     *
     * @param reason why, one line for the operator; {@code null} lets them run again
     */
    void shedPrefetch(String reason);
}
