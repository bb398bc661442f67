package io.musicfs.cas.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one chunk cache. Chunk count and bytes are what is on disk: exact once the store's
 * start-up inventory has run ({@link #inventoryComplete()}), a lower bound before. Hits and misses
 * count chunks asked for by reads since start: a hit was served from memory or disk, a miss had to
 * be fetched from an origin. Not a service yet; the size limits and status reporting will read it.
 *
 * <p>Threading: lock-free; any thread may update or read at any time. A reading of several counters
 * is not one consistent snapshot.
 */
public final class CacheStats {

    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder badChunks = new LongAdder();
    private volatile boolean inventoryComplete;

    /** @return chunk files in the store */
    public long chunks() {
        return chunks.get();
    }

    /** @return bytes of chunk files in the store */
    public long bytes() {
        return bytes.get();
    }

    /** @return chunks served without asking an origin */
    public long hits() {
        return hits.sum();
    }

    /** @return chunks fetched from an origin */
    public long misses() {
        return misses.sum();
    }

    /** @return chunk files found with a wrong length or hash, or unreadable, and deleted */
    public long badChunks() {
        return badChunks.sum();
    }

    /** @return whether {@link #chunks()} and {@link #bytes()} include what earlier runs left */
    public boolean inventoryComplete() {
        return inventoryComplete;
    }

    void chunkAdded(long size) {
        chunks.incrementAndGet();
        bytes.addAndGet(size);
    }

    void chunkRemoved(long size) {
        chunks.decrementAndGet();
        bytes.addAndGet(-size);
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void badChunk() {
        badChunks.increment();
    }

    void inventoryDone() {
        inventoryComplete = true;
    }

    @Override
    public String toString() {
        return chunks() + " chunks, " + bytes() + " bytes" + (inventoryComplete ? "" : " (inventory running)")
                + ", " + hits() + " hits, " + misses() + " misses, " + badChunks() + " bad chunks";
    }
}
